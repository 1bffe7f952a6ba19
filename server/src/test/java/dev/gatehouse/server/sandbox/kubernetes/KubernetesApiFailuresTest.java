package dev.gatehouse.server.sandbox.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.ConnectException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** {@link ApiFailures}: the message a person sees, and what goes to the log instead. */
class KubernetesApiFailuresTest {
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ApiFailures.class);

    @BeforeEach
    void captureLogs() {
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        logger.detachAppender(logs);
    }

    @Test
    void refusal_namesTheStatusReason_logsTheStatus() {
        Status status = new StatusBuilder().withCode(422).withReason("Invalid")
                .withMessage("Pod \"sandbox-x-1\" is invalid: spec.runtimeClassName: Not found").build();

        var failure = ApiFailures.of("create the sandbox's pod", new KubernetesClientException("Failure executing", 422, status));

        assertThat(failure).hasMessage("Kubernetes refused to create the sandbox's pod: Invalid.");
        assertThat(logs.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getKeyValuePairs().toString())
                    .contains("action=\"create the sandbox's pod\"", "code=\"422\"", "spec.runtimeClassName: Not found");
        });
    }

    @Test
    void refusalWithoutReason_namesTheStatusCode() {
        var failure = ApiFailures.of("delete the sandbox's pods", new KubernetesClientException("Failure executing", 403, null));

        assertThat(failure).hasMessage("Kubernetes refused to delete the sandbox's pods: Forbidden.");
    }

    @Test
    void noResponse_saysKubernetesCouldNotBeReached() {
        var failure = ApiFailures.of("list the sandboxes' objects",
                new KubernetesClientException("An error has occurred.", new ConnectException("Connection refused")));

        assertThat(failure).hasMessage("Kubernetes could not be reached to list the sandboxes' objects.");
        assertThat(logs.list).singleElement().satisfies(event -> assertThat(event.getLevel()).isEqualTo(Level.WARN));
    }
}
