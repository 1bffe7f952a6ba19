package dev.gatehouse.deploy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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

    private static KubernetesMockServer start() {
        KubernetesMockServer server = new KubernetesMockServer(false);
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
