package dev.gatehouse.server.gateway;

import static dev.gatehouse.server.gateway.TestGateway.channel;
import static dev.gatehouse.server.gateway.TestGateway.errorCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.errors.InternalServerException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.gatehouse.server.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Channel health is the channel's, not a caller's: an upstream answering 500 to one caller's bodies
 * fails those requests over but takes no channel out for the others, and a probe brings a channel
 * back only on a 2xx. Channels go out after two failures within a minute and are probed every 200
 * ms; the callers are the official OpenAI SDK.
 */
class ChannelHealthFairnessTest {
    static final String CHAT = "/v1/chat/completions";
    static final String MODELS = "/v1/models";
    static final String UP = "gatehouse_gateway_channel_up";
    static final int THRESHOLD = 2;

    @TempDir
    static Path dataDir;

    static Vertx vertx;
    static FakeUpstream first;
    static FakeUpstream second;
    static FakeUpstream wobbly;
    static TestGateway gateway;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        first = FakeUpstream.start(vertx);
        second = FakeUpstream.start(vertx);
        wobbly = FakeUpstream.start(vertx);
        gateway = TestGateway.start(dataDir, new JsonArray()
                        .add(channel("shared-a", "shared", first, "json", "poison").put("priority", 0))
                        .add(channel("shared-b", "shared", second, "json", "poison").put("priority", 1))
                        .add(channel("wobbly", "wobbly", wobbly, "json")),
                Map.of("GATEHOUSE_GATEWAY_DEFAULT_PROVIDER", "shared",
                        "GATEHOUSE_GATEWAY_CHANNEL_FAILURE_THRESHOLD", String.valueOf(THRESHOLD),
                        "GATEHOUSE_GATEWAY_CHANNEL_FAILURE_WINDOW", "1m",
                        "GATEHOUSE_GATEWAY_CHANNEL_PROBE_INTERVAL", "200ms",
                        "GATEHOUSE_GATEWAY_FIRST_BYTE_TIMEOUT", "2s"));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        vertx.close().await();
    }

    @Test
    void oneCallersBodiesAnswered500_failOverToTheNextChannel_butTakeNoChannelOutForOtherOrganizations() {
        OpenAIClient mallory = gateway.sdk(gateway.pat("mallory", "evil"));
        int rounds = THRESHOLD * 3;

        for (int i = 0; i < rounds; i++) {
            assertThatThrownBy(() -> mallory.chat().completions().create(params("poison")))
                    .isInstanceOfSatisfying(InternalServerException.class, e -> assertThat(e.statusCode()).isEqualTo(502));
        }

        assertThat(first.seenAt(CHAT)).as("every poisoned request tried the first channel").hasSize(rounds);
        assertThat(second.seenAt(CHAT)).as("and failed over to the second").hasSize(rounds);
        ChatCompletion served = gateway.sdk(gateway.pat("alice", "acme")).chat().completions().create(params("json"));
        assertThat(served.choices().getFirst().message().content()).hasValue("Hello!");
        assertThat(first.seenAt(CHAT)).as("alice served by the first channel, still in").hasSize(rounds + 1);
        assertThat(gateway.metrics().withLabel("channel", "shared-a")).filteredOn(sample -> sample.name().equals(UP))
                .singleElement().satisfies(sample -> assertThat(sample.value()).isEqualTo(1.0));
        assertThat(gateway.metrics().withLabel("channel", "shared-b")).filteredOn(sample -> sample.name().equals(UP))
                .singleElement().satisfies(sample -> assertThat(sample.value()).isEqualTo(1.0));
    }

    @Test
    void aProbeAnswered404_keepsTheChannelOut_onlyA2xxBringsItBack() {
        wobbly.failWith(503);
        for (int i = 0; i < THRESHOLD; i++) {
            assertThat(gateway.chat("wobbly", "json").statusCode()).isEqualTo(502);
        }
        assertThat(errorCode(gateway.chat("wobbly", "json"))).isEqualTo("channels_unavailable");
        int chats = wobbly.seenAt(CHAT).size();

        wobbly.failWith(404);
        int probesBefore = wobbly.seenAt(MODELS).size();
        Await.until("three probes answered 404", Duration.ofSeconds(5),
                () -> wobbly.seenAt(MODELS).size() >= probesBefore + 3);

        HttpResponse<String> stillOut = gateway.chat("wobbly", "json");
        assertThat(stillOut.statusCode()).isEqualTo(503);
        assertThat(errorCode(stillOut)).isEqualTo("channels_unavailable");
        assertThat(wobbly.seenAt(CHAT)).as("no user request reached the channel").hasSize(chats);

        wobbly.recover();
        Await.until("the channel back in", Duration.ofSeconds(5), () -> gateway.chat("wobbly", "json").statusCode() == 200);
    }

    private static ChatCompletionCreateParams params(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("hi").build();
    }
}
