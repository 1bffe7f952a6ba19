package dev.gatehouse.server.sandbox.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.sandbox.SandboxEndpoint;
import dev.gatehouse.server.sandbox.kubernetes.RecordingEvents.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link PodEventHandler}'s rules, fed by hand on a clock the test moves. */
class KubernetesPodEventHandlerTest {
    private final String id = UUID.randomUUID().toString();
    private final RecordingEvents events = new RecordingEvents();
    private final AtomicLong nanos = new AtomicLong(7_000);
    private final PodEventHandler handler =
            new PodEventHandler(events, sandbox -> new SandboxEndpoint("sandbox-" + sandbox + ".ns.svc", 80), nanos::get);

    @Test
    void becomingReady_isReportedOnce() {
        Pod pending = pod(1, false);
        Pod ready = pod(1, true);

        handler.onAdd(pending);
        handler.onUpdate(pending, ready);
        handler.onUpdate(ready, pod(1, true));

        assertThat(events.about(id)).containsExactly(new Event("running", id, "sandbox-" + id + ".ns.svc:80"));
    }

    @Test
    void resync_repeatsTheState() {
        Pod ready = pod(1, true);
        handler.onAdd(ready);

        handler.onUpdate(ready, ready);

        assertThat(events.about(id)).extracting(Event::kind).containsExactly("running", "running");
    }

    @Test
    void lastPodDeleted_unannounced_isReported() {
        Pod pod = pod(1, true);
        handler.onAdd(pod);

        handler.onDelete(pod, false);

        assertThat(events.about(id)).last().isEqualTo(new Event("failed", id, PodEventHandler.DELETED_OUTSIDE));
    }

    @Test
    void olderPodDeleted_whileTheNextGenerationExists_isNotReported() {
        Pod first = pod(1, true);
        handler.onAdd(first);
        handler.onAdd(pod(2, false));

        handler.onDelete(first, false);

        assertThat(events.about(id)).extracting(Event::kind).containsExactly("running");
    }

    @Test
    void announcedDeletion_isNotReported_evenWhenThePodIsSeenOnlyAfterwards() {
        Pod pod = pod(1, false);
        handler.expectDeletion(id);

        handler.onAdd(pod);
        handler.onDelete(pod, false);

        assertThat(events.about(id)).isEmpty();
    }

    @Test
    void announcedDeletion_isForgottenAfterTheMemory() {
        Pod pod = pod(1, false);
        handler.expectDeletion(id);
        handler.onAdd(pod);
        nanos.addAndGet(PodEventHandler.DELETION_MEMORY.plus(Duration.ofSeconds(1)).toNanos());

        handler.onDelete(pod, false);

        assertThat(events.about(id)).containsExactly(new Event("failed", id, PodEventHandler.DELETED_OUTSIDE));
    }

    @Test
    void podBeingDeleted_reportsNoFailure() {
        Pod pod = pod(1, true);
        handler.onAdd(pod);

        handler.onUpdate(pod, new PodBuilder(pod).editMetadata().withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata()
                .withStatus(new PodStatusBuilder().withPhase("Failed").build()).build());

        assertThat(events.about(id)).extracting(Event::kind).containsExactly("running");
    }

    @Test
    void podOfNoSandbox_isIgnored() {
        Pod other = new PodBuilder().withNewMetadata().withName("other").addToLabels("app", "x").endMetadata()
                .withStatus(new PodStatusBuilder().withPhase("Failed").build()).build();

        handler.onAdd(other);
        handler.onDelete(other, false);

        assertThat(events.about(id)).isEmpty();
    }

    private Pod pod(int generation, boolean ready) {
        return new PodBuilder()
                .withNewMetadata()
                    .withName("sandbox-" + id + "-" + generation)
                    .addToLabels("gatehouse.dev/sandbox", id)
                .endMetadata()
                .withStatus(new PodStatusBuilder().withPhase("Running")
                        .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                        .build())
                .build();
    }
}
