package dev.gatehouse.deploy;

import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;

/**
 * One fabric8 mock API server (CRUD mode) for the module's tests: rendered objects are applied to
 * it, and Helm's {@code lookup} reads from it. Helm finds it through $KUBECONFIG (set by the pom),
 * a file written here before the first render.
 */
final class Cluster {

    private static final KubernetesMockServer SERVER = start();
    private static final KubernetesClient CLIENT = SERVER.createClient();

    private Cluster() {
    }

    static KubernetesClient client() {
        return CLIENT;
    }

    /**
     * CRUD mode, plus the core group's discovery document that Helm's lookup reads first (CRUD mode
     * alone answers GET /api/v1 with a List).
     */
    private static final class CoreDiscovery extends KubernetesCrudDispatcher {

        CoreDiscovery(List<CustomResourceDefinitionContext> customResources) {
            super(customResources);
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath();
            if (request.getMethod().equals("GET") && (path.equals("/api/v1") || path.startsWith("/api/v1?"))) {
                return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                        .setBody(Serialization.asJson(new APIResourceListBuilder().withGroupVersion("v1")
                                .addNewResource().withName("secrets").withKind("Secret").withNamespaced(true)
                                .withVerbs("get", "list").endResource().build()));
            }
            return super.dispatch(request);
        }
    }

    private static KubernetesMockServer start() {
        CustomResourceDefinitionContext serviceMonitors = new CustomResourceDefinitionContext.Builder()
                .withGroup("monitoring.coreos.com").withVersion("v1").withKind("ServiceMonitor")
                .withPlural("servicemonitors").withScope("Namespaced").build();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new CoreDiscovery(List.of(serviceMonitors)), false);
        server.init();
        String file = System.getenv("KUBECONFIG");
        if (file == null || file.isBlank()) {
            throw new IllegalStateException("KUBECONFIG is not set: run the tests through Maven (deploy/pom.xml sets it)");
        }
        String kubeConfig = """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: mock
                    cluster: {server: "http://%s:%d"}
                contexts:
                  - name: mock
                    context: {cluster: mock, user: mock, namespace: %s}
                current-context: mock
                users:
                  - name: mock
                    user: {token: mock}
                """.formatted(server.getHostName(), server.getPort(), Chart.NAMESPACE);
        try {
            Files.createDirectories(Path.of(file).getParent());
            Files.writeString(Path.of(file), kubeConfig, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return server;
    }
}
