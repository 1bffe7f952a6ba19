package dev.gatehouse.server.sandbox.kubernetes;

import static dev.gatehouse.server.sandbox.kubernetes.Sandboxes.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.sandbox.SandboxSpec;
import dev.gatehouse.server.sandbox.TokenDelivery;
import dev.gatehouse.server.sandbox.kubernetes.RecordingEvents.Event;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the backend reports when pods change in fabric8's mock API server, as its watch delivers it. */
@EnableKubernetesMockClient(crud = true)
class KubernetesBackendEventsTest {
    KubernetesClient client;
    private final RecordingEvents events = new RecordingEvents();
    private KubernetesBackend backend;

    @BeforeEach
    void startBackend() {
        backend = KubernetesBackend.create(client, Sandboxes.selectorConfig(Optional.of(Sandboxes.CONFIG_IMAGE)));
        backend.start(events);
    }

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    @Test
    void podBecomesReady_reportsRunningAtTheSandboxesService() throws InterruptedException {
        SandboxSpec spec = created(TokenDelivery.FILE);

        setStatus(spec.id(), 1, ready());

        Event running = events.await("running", spec.id());
        assertThat(running.detail()).isEqualTo("sandbox-" + spec.id() + "." + NAMESPACE + ".svc:80");
        awaitEventsSoFar();
        assertThat(events.about(spec.id())).containsExactly(running);
    }

    @Test
    void imageCannotBePulled_reportsFailedNamingTheImage() throws InterruptedException {
        SandboxSpec spec = created(TokenDelivery.FILE);

        setStatus(spec.id(), 1, new PodStatusBuilder().withPhase("Pending")
                .addNewContainerStatus().withName("runtime").withImage("docker.io/" + Sandboxes.CONFIG_IMAGE)
                    .withNewState().withNewWaiting().withReason("ImagePullBackOff")
                        .withMessage("Back-off pulling image \"" + Sandboxes.CONFIG_IMAGE + "\"").endWaiting().endState()
                .endContainerStatus()
                .build());

        assertThat(events.await("failed", spec.id()).detail())
                .isEqualTo("The runtime image \"" + Sandboxes.CONFIG_IMAGE + "\" cannot be pulled (ImagePullBackOff).");
    }

    @Test
    void podFails_reportsFailedWithItsReason() throws InterruptedException {
        SandboxSpec spec = created(TokenDelivery.FILE);

        setStatus(spec.id(), 1, new PodStatusBuilder().withPhase("Failed").withReason("Evicted")
                .withMessage("The node was low on resource: memory.").build());

        assertThat(events.await("failed", spec.id()).detail())
                .isEqualTo("The sandbox's pod failed: Evicted: The node was low on resource: memory.");
    }

    @Test
    void podDeletedBehindTheBackendsBack_reportsFailed() throws InterruptedException {
        SandboxSpec spec = created(TokenDelivery.FILE);

        client.pods().inNamespace(NAMESPACE).withName("sandbox-" + spec.id() + "-1").delete();

        assertThat(events.await("failed", spec.id()).detail()).isEqualTo("The sandbox's pod was deleted outside Gatehouse.");
    }

    @Test
    void deletedByTheBackend_reportsNothing() throws InterruptedException {
        SandboxSpec spec = created(TokenDelivery.FILE);

        backend.delete(spec.id());

        awaitEventsSoFar();
        assertThat(events.about(spec.id())).isEmpty();
    }

    @Test
    void restartedForATokenInTheEnvironment_reportsNoFailure() throws InterruptedException {
        SandboxSpec spec = created(TokenDelivery.ENVIRONMENT);
        setStatus(spec.id(), 1, ready());
        Event running = events.await("running", spec.id());

        backend.replaceToken(spec.withToken(Sandboxes.token()));

        awaitEventsSoFar();
        assertThat(client.pods().inNamespace(NAMESPACE).withLabel("gatehouse.dev/sandbox", spec.id()).list().getItems())
                .extracting(pod -> pod.getMetadata().getName())
                .containsExactly("sandbox-" + spec.id() + "-2");
        assertThat(events.about(spec.id())).containsExactly(running);
    }

    private SandboxSpec created(TokenDelivery delivery) {
        SandboxSpec spec = Sandboxes.spec(Sandboxes.profile(delivery));
        backend.create(spec);
        return spec;
    }

    private void setStatus(String id, int generation, PodStatus status) {
        client.pods().inNamespace(NAMESPACE).withName("sandbox-" + id + "-" + generation)
                .editStatus(pod -> new PodBuilder(pod).withStatus(status).build());
    }

    /**
     * Returns once every event caused so far has been reported: the watch delivers events in order, so
     * once a marker pod created now is reported ready, whatever came before it has been reported too.
     */
    private void awaitEventsSoFar() throws InterruptedException {
        String marker = UUID.randomUUID().toString();
        client.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
                .withNewMetadata()
                    .withName("marker-" + marker)
                    .addToLabels("app.kubernetes.io/managed-by", "gatehouse")
                    .addToLabels("gatehouse.dev/sandbox", marker)
                .endMetadata()
                .withNewSpec().addNewContainer().withName("runtime").withImage("marker").endContainer().endSpec()
                .withStatus(ready())
                .build()).create();
        events.await("running", marker);
    }

    private static PodStatus ready() {
        return new PodStatusBuilder().withPhase("Running")
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .build();
    }
}
