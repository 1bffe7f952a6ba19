package dev.gatehouse.server.sandbox.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link PodStates}: readiness and the failure reasons read from a pod's status. */
class KubernetesPodStatesTest {
    private static final String IMAGE = "registry.test/agents/coder:" + Sandboxes.hex(2);

    @Test
    void readyConditionTrue_isReady() {
        assertThat(PodStates.isReady(pod(new PodStatusBuilder().withPhase("Running")
                .addNewCondition().withType("Ready").withStatus("True").endCondition().build()))).isTrue();
    }

    @Test
    void readyConditionFalse_orNoStatus_isNotReady() {
        assertThat(PodStates.isReady(pod(new PodStatusBuilder().withPhase("Running")
                .addNewCondition().withType("Ready").withStatus("False").endCondition()
                .addNewCondition().withType("PodScheduled").withStatus("True").endCondition().build()))).isFalse();
        assertThat(PodStates.isReady(pod(null))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ErrImagePull", "ImagePullBackOff", "InvalidImageName"})
    void imageNotPulled_namesTheImageAsAskedFor(String reason) {
        ContainerStatus status = waiting(reason, "rpc error: pull access denied").withImage("docker.io/" + IMAGE).build();

        assertThat(PodStates.failure(pod(pending(status))))
                .hasValue("The runtime image \"" + IMAGE + "\" cannot be pulled (" + reason + ").");
    }

    @Test
    void containerNotCreatable_givesKubernetesMessage() {
        ContainerStatus status = waiting("CreateContainerConfigError", "secret \"newapi-key-x\" not found").build();

        assertThat(PodStates.failure(pod(pending(status)))).hasValue(
                "The runtime's container cannot be created (CreateContainerConfigError: secret \"newapi-key-x\" not found).");
    }

    @Test
    void crashLoop_givesTheLastExitStatus() {
        ContainerStatus status = waiting("CrashLoopBackOff", "back-off 40s restarting failed container")
                .withNewLastState().withNewTerminated().withExitCode(137).endTerminated().endLastState().build();

        assertThat(PodStates.failure(pod(pending(status))))
                .hasValue("The runtime keeps crashing (CrashLoopBackOff, last exit status 137).");
    }

    @Test
    void crashLoopWithoutLastState_saysSoWithoutStatus() {
        assertThat(PodStates.failure(pod(pending(waiting("CrashLoopBackOff", null).build()))))
                .hasValue("The runtime keeps crashing (CrashLoopBackOff).");
    }

    @Test
    void podFailed_givesReasonAndMessage() {
        assertThat(PodStates.failure(pod(new PodStatusBuilder().withPhase("Failed").withReason("Evicted")
                .withMessage("The node was low on resource: memory.").build())))
                .hasValue("The sandbox's pod failed: Evicted: The node was low on resource: memory.");
    }

    @Test
    void podFailedWithoutReason_saysUnknownReason() {
        assertThat(PodStates.failure(pod(new PodStatusBuilder().withPhase("Failed").build())))
                .hasValue("The sandbox's pod failed: unknown reason.");
    }

    @Test
    void longMultilineMessage_isFlattenedAndCut() {
        String message = "line one\nline two\t" + "x".repeat(400);

        String failure = PodStates.failure(pod(pending(waiting("CreateContainerError", message).build()))).orElseThrow();

        String detail = failure.substring(failure.indexOf(": ") + 2, failure.length() - 2);
        assertThat(detail).hasSize(PodStates.MAX_DETAIL_LENGTH).startsWith("line one line two x").endsWith("...");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ContainerCreating", "PodInitializing"})
    void waitingForAReasonThatPasses_isNoFailure(String reason) {
        assertThat(PodStates.failure(pod(pending(waiting(reason, null).build())))).isEmpty();
    }

    @Test
    void noStatusYet_isNoFailure() {
        assertThat(PodStates.failure(pod(null))).isEmpty();
    }

    private static ContainerStatusBuilder waiting(String reason, String message) {
        return new ContainerStatusBuilder().withName("runtime").withImage(IMAGE)
                .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState();
    }

    private static PodStatus pending(ContainerStatus status) {
        return new PodStatusBuilder().withPhase("Pending").withContainerStatuses(status).build();
    }

    private static Pod pod(PodStatus status) {
        return new PodBuilder()
                .withNewMetadata().withName("sandbox-x-1").endMetadata()
                .withNewSpec().addNewContainer().withName("runtime").withImage(IMAGE).endContainer().endSpec()
                .withStatus(status)
                .build();
    }
}
