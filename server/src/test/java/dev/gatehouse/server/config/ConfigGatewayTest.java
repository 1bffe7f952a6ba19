package dev.gatehouse.server.config;

import static dev.gatehouse.server.config.ConfigTestSupport.loadYaml;
import static dev.gatehouse.server.config.ConfigTestSupport.problemsOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.gateway.ChannelConfig;
import dev.gatehouse.server.gateway.Protocol;
import dev.gatehouse.server.gateway.GatewayConfig;
import dev.gatehouse.server.gateway.devecho.DevEcho;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway.* keys: the structured channel list from YAML and from JSON in the environment. */
class ConfigGatewayTest {
    @TempDir
    Path dir;

    @Test
    void defaults() {
        GatewayConfig gateway = ConfigLoader.load(null, Map.of("GATEHOUSE_DATA_DIR", dir.toString())).gateway();

        assertThat(gateway.channels()).containsExactly(DevEcho.channel("127.0.0.1", 8080));
        assertThat(gateway.defaultProvider()).isEmpty();
        assertThat(gateway.acceptSessions()).isFalse();
        assertThat(gateway.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(gateway.firstByteTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(gateway.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(gateway.maxRequestBytes()).isEqualTo(4L * 1024 * 1024);
        assertThat(gateway.channelFailureThreshold()).isEqualTo(5);
        assertThat(gateway.channelFailureWindow()).isEqualTo(Duration.ofSeconds(30));
        assertThat(gateway.channelProbeInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(gateway.maxConnectionsPerChannel()).isEqualTo(1024);
        assertThat(gateway.maxWaitingPerChannel()).isEqualTo(128);
    }

    @Test
    void poolSizes_outOfRange_areNamed() {
        assertThat(problemsOf(null, Map.of("GATEHOUSE_DATA_DIR", dir.toString(),
                "GATEHOUSE_GATEWAY_MAX_CONNECTIONS_PER_CHANNEL", "0", "GATEHOUSE_GATEWAY_MAX_WAITING_PER_CHANNEL", "-1")))
                .containsExactlyInAnyOrder("GATEHOUSE_GATEWAY_MAX_CONNECTIONS_PER_CHANNEL: 0 (expected: 1..10000)",
                        "GATEHOUSE_GATEWAY_MAX_WAITING_PER_CHANNEL: -1 (expected: 0..10000)");
    }

    @Test
    void devChannel_onlyWithoutChannels_outsideProduction_onAFixedPort() {
        assertThat(ConfigLoader.load(null, Map.of("GATEHOUSE_DATA_DIR", dir.toString(), "GATEHOUSE_SERVER_PORT", "0"))
                .gateway().channels()).isEmpty();
        assertThat(ConfigLoader.load(null, Map.of("GATEHOUSE_DATA_DIR", dir.toString(),
                "GATEHOUSE_GATEWAY_DEV_CHANNEL", "false")).gateway().channels()).isEmpty();
        assertThat(ConfigLoader.load(null, Map.of("GATEHOUSE_DATA_DIR", dir.toString(), "GATEHOUSE_GATEWAY_CHANNELS",
                "[{\"name\":\"q\",\"provider\":\"qwen\",\"baseUrl\":\"http://q/v1\",\"models\":[\"m\"]}]"))
                .gateway().channels()).extracting(ChannelConfig::name).containsExactly("q");
        assertThat(problemsOf(null, Map.of("GATEHOUSE_DATA_DIR", dir.toString(), "GATEHOUSE_PRODUCTION", "true",
                "GATEHOUSE_GATEWAY_DEV_CHANNEL", "true")))
                .contains("GATEHOUSE_GATEWAY_DEV_CHANNEL: \"true\" (expected: false in production; the echo channel is for"
                        + " development only)");
    }

    @Test
    void channelsFromYaml_withDefaultsForWeightAndPriority_describedWithoutKeys() {
        GatehouseConfig config = loadYaml(dir, """
                gateway:
                  defaultProvider: qwen
                  channels:
                    - name: qwen-a
                      provider: qwen
                      baseUrl: https://qwen.example/v1
                      apiKeyEnv: QWEN_KEY
                      models: [qwen3, qwen3-coder]
                    - name: qwen-b
                      provider: qwen
                      baseUrl: http://10.0.0.7:8000/v1
                      apiKeyFile: /run/secrets/qwen-b
                      models: [qwen3]
                      weight: 3
                      priority: 1
                      probePath: /health?deep=1
                """, Map.of("GATEHOUSE_DATA_DIR", dir.toString()));

        List<ChannelConfig> channels = config.gateway().channels();
        assertThat(channels).extracting(ChannelConfig::name).containsExactly("qwen-a", "qwen-b");
        assertThat(channels.get(0).weight()).isEqualTo(1);
        assertThat(channels.get(0).priority()).isZero();
        assertThat(channels.get(0).apiKeyEnv()).hasValue("QWEN_KEY");
        assertThat(channels.get(0).probePath()).isEqualTo("/models");
        assertThat(channels.get(1).probePath()).isEqualTo("/health?deep=1");
        assertThat(channels.get(1).weight()).isEqualTo(3);
        assertThat(channels.get(1).priority()).isEqualTo(1);
        assertThat(channels.get(1).apiKeyFile()).hasValue(Path.of("/run/secrets/qwen-b"));
        assertThat(config.gateway().defaultProvider()).isEqualTo(Optional.of("qwen"));
        assertThat(ConfigLoader.describe(config)).anySatisfy(line -> assertThat(line)
                .startsWith("gateway.channels = [{\"name\":\"qwen-a\"").contains("\"apiKeyEnv\":\"QWEN_KEY\""));
    }

    @Test
    void channelsFromTheEnvironment_asJson() {
        GatewayConfig gateway = ConfigLoader.load(null, Map.of("GATEHOUSE_DATA_DIR", dir.toString(),
                "GATEHOUSE_GATEWAY_CHANNELS",
                "[{\"name\":\"a\",\"provider\":\"p\",\"baseUrl\":\"http://h/v1\",\"models\":[\"m\"],\"weight\":2}]"))
                .gateway();

        assertThat(gateway.channels()).singleElement().satisfies(channel -> {
            assertThat(channel.weight()).isEqualTo(2);
            assertThat(channel.apiKeyFile()).isEmpty();
            assertThat(channel.apiKeyEnv()).isEmpty();
            assertThat(channel.protocols()).containsExactly(Protocol.OPENAI_CHAT, Protocol.OPENAI_COMPLETIONS,
                    Protocol.OPENAI_EMBEDDINGS);
        });
    }

    @Test
    void channelProtocols_asAListOrCommaText() {
        GatewayConfig gateway = ConfigLoader.load(null, env("[{\"name\":\"a\",\"provider\":\"p\",\"baseUrl\":\"http://h/v1\","
                + "\"models\":[\"m\"],\"protocols\":[\"anthropic.messages\"]},{\"name\":\"b\",\"provider\":\"p\","
                + "\"baseUrl\":\"http://h/v1\",\"models\":[\"m\"],\"protocols\":\"openai.chat, openai.responses\"}]")).gateway();

        assertThat(gateway.channels()).extracting(ChannelConfig::protocols).containsExactly(
                Set.of(Protocol.ANTHROPIC_MESSAGES), Set.of(Protocol.OPENAI_CHAT, Protocol.OPENAI_RESPONSES));
    }

    @Test
    void badChannelProtocols_areNamedByPosition() {
        assertThat(problemsOf(null, env("[{\"name\":\"a\",\"provider\":\"p\",\"baseUrl\":\"http://h\",\"models\":[\"m\"],"
                + "\"protocols\":[\"openai.chat\",\"anthropic\"]}]")))
                .containsExactly("GATEHOUSE_GATEWAY_CHANNELS[0].protocols[1]: \"anthropic\" (expected: one of openai.chat,"
                        + " openai.completions, openai.embeddings, openai.responses, anthropic.messages)");
        assertThat(problemsOf(null, env("[{\"name\":\"a\",\"provider\":\"p\",\"baseUrl\":\"http://h\",\"models\":[\"m\"],"
                + "\"protocols\":[]}]")))
                .containsExactly("GATEHOUSE_GATEWAY_CHANNELS[0].protocols: [] (expected: at least one protocol, e.g. openai.chat)");
    }

    @Test
    void badChannels_areNamedByPosition() {
        assertThat(problemsOf(null, env("[{\"name\":\"a\",\"provider\":\"p\",\"baseUrl\":\"ftp://x\",\"models\":[\"m\"]}]")))
                .containsExactly("GATEHOUSE_GATEWAY_CHANNELS[0].baseUrl: \"ftp://x\" (expected: http or https URL without query or fragment)");
        assertThat(problemsOf(null, env("[{\"name\":\"a\",\"provider\":\"p\",\"baseUrl\":\"http://h\",\"models\":[]}]")))
                .containsExactly("GATEHOUSE_GATEWAY_CHANNELS[0].models: [] (expected: at least one model, or aliases)");
        assertThat(problemsOf(null, env("[{\"name\":\"a\",\"provider\":\"p\",\"baseUrl\":\"http://h\",\"models\":[\"m\"],\"apiKey\":\"sk-secret\"}]")))
                .singleElement().satisfies(problem -> assertThat(problem)
                        .startsWith("GATEHOUSE_GATEWAY_CHANNELS[0].apiKey: unknown field").doesNotContain("sk-secret"));
        assertThat(problemsOf(null, env("[{\"name\":\"a\",\"provider\":\"p\",\"baseUrl\":\"http://h\",\"models\":[\"m\"],\"probePath\":\"models\"}]")))
                .containsExactly("GATEHOUSE_GATEWAY_CHANNELS[0].probePath: \"models\" (expected: a path starting with /,"
                        + " optionally with a query, e.g. /models)");
        assertThat(problemsOf(null, env("{not json")))
                .singleElement().satisfies(problem -> assertThat(problem).startsWith("GATEHOUSE_GATEWAY_CHANNELS: not valid JSON"));
        assertThat(problemsOf(null, env("[{\"name\":\"a\",\"provider\":\"p\",\"baseUrl\":\"http://h\",\"models\":[\"m\"]},"
                + "{\"name\":\"a\",\"provider\":\"p\",\"baseUrl\":\"http://h\",\"models\":[\"m\"]}]")))
                .singleElement().satisfies(problem -> assertThat(problem).contains("[1].name: \"a\" (expected: unique"));
    }

    private Map<String, String> env(String channels) {
        return Map.of("GATEHOUSE_DATA_DIR", dir.toString(), "GATEHOUSE_GATEWAY_CHANNELS", channels);
    }
}
