package dev.gatehouse.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RuntimeConfigTest {
    private static final String URL_REQUIRED = "LLM_GATEWAY_URL or OPENAI_BASE_URL or OPENAI_API_BASE or NEWAPI_BASE_URL:"
            + " required (expected: the gateway's OpenAI base URL, e.g. http://gatehouse:8080/v1)";
    private static final String TOKEN_REQUIRED = "LLM_GATEWAY_TOKEN_FILE or LLM_GATEWAY_TOKEN or OPENAI_API_KEY or NEWAPI_KEY:"
            + " required (expected: the sandbox's gateway token, or the path of a file holding it)";

    @Test
    void minimalEnvironment_getsTheDefaults() {
        RuntimeConfig config = RuntimeConfig.fromEnvironment(
                Map.of("LLM_GATEWAY_URL", "http://gatehouse:8080/v1", "LLM_GATEWAY_TOKEN", "sk-1"));

        assertThat(config).isEqualTo(new RuntimeConfig("0.0.0.0", 8080, URI.create("http://gatehouse:8080/v1"), null, "sk-1", null));
    }

    @Test
    void everySetting_isRead() {
        RuntimeConfig config = RuntimeConfig.fromEnvironment(Map.of(
                "HOST", "127.0.0.1", "PORT", "9000", "LLM_GATEWAY_URL", "https://gatehouse.example/llm/v1/",
                "LLM_GATEWAY_TOKEN_FILE", "/var/run/secrets/gatehouse/token", "LLM_DEFAULT_MODEL", "qwen3"));

        assertThat(config).isEqualTo(new RuntimeConfig("127.0.0.1", 9000, URI.create("https://gatehouse.example/llm/v1"),
                Path.of("/var/run/secrets/gatehouse/token"), null, "qwen3"));
    }

    @Test
    void emptyEnvironment_reportsTheUrlAndTheTokenMissing() {
        assertThatThrownBy(() -> RuntimeConfig.fromEnvironment(Map.of()))
                .isInstanceOfSatisfying(InvalidConfigurationException.class,
                        e -> assertThat(e.problems()).containsExactly(URL_REQUIRED, TOKEN_REQUIRED));
    }

    @Test
    void everyInvalidVariable_isReportedAtOnce_withoutTheToken() {
        Map<String, String> environment = Map.of(
                "PORT", "abc", "OPENAI_BASE_URL", "ftp://gatehouse/v1", "OPENAI_API_KEY", "sk-secret value");

        assertThatThrownBy(() -> RuntimeConfig.fromEnvironment(environment))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
                    assertThat(e.problems()).containsExactly(
                            "PORT: \"abc\" (expected: 1..65535)",
                            "OPENAI_BASE_URL: \"ftp://gatehouse/v1\" (expected: an http(s) URL ending in /v1,"
                                    + " e.g. http://gatehouse:8080/v1)",
                            "OPENAI_API_KEY: must be printable ASCII without spaces (value not shown)");
                    assertThat(e.getMessage()).doesNotContain("secret");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "65536", "-1", "80.5"})
    void portOutOfRange_isReported(String port) {
        assertThat(problems(Map.of("PORT", port, "LLM_GATEWAY_URL", "http://g/v1", "LLM_GATEWAY_TOKEN", "t")))
                .containsExactly("PORT: \"" + port + "\" (expected: 1..65535)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://gatehouse:8080", "http://gatehouse:8080/v1/chat", "gatehouse:8080/v1", "/v1",
            "http://gatehouse/v1?x=1", "http://gate house/v1"})
    void gatewayUrlNotAnHttpBaseEndingInV1_isReported(String url) {
        assertThat(problems(Map.of("LLM_GATEWAY_URL", url, "LLM_GATEWAY_TOKEN", "t")))
                .singleElement().asString().startsWith("LLM_GATEWAY_URL: \"" + url + "\"");
    }

    @Test
    void gatewayUrlWithUserInfo_isReportedWithoutEchoingIt() {
        assertThat(problems(Map.of("LLM_GATEWAY_URL", "http://user:pw@gatehouse/v1", "LLM_GATEWAY_TOKEN", "t")))
                .containsExactly("LLM_GATEWAY_URL: must not contain user info (expected: an http(s) URL ending in /v1)");
    }

    @Test
    void gatewayUrlAliases_firstSetWins() {
        Map<String, String> aliases = Map.of("OPENAI_BASE_URL", "http://openai-base/v1", "OPENAI_API_BASE",
                "http://openai-api-base/v1", "NEWAPI_BASE_URL", "http://newapi/v1", "LLM_GATEWAY_TOKEN", "t");

        assertThat(gatewayUrl(aliases)).isEqualTo("http://openai-base/v1");
        assertThat(gatewayUrl(with(aliases, "LLM_GATEWAY_URL", "http://llm-gateway/v1"))).isEqualTo("http://llm-gateway/v1");
        assertThat(gatewayUrl(with(aliases, "OPENAI_BASE_URL", " "))).isEqualTo("http://openai-api-base/v1");
        assertThat(gatewayUrl(Map.of("NEWAPI_BASE_URL", "http://newapi/v1", "LLM_GATEWAY_TOKEN", "t")))
                .isEqualTo("http://newapi/v1");
    }

    @Test
    void tokenAliases_firstSetWins() {
        Map<String, String> aliases = Map.of("LLM_GATEWAY_URL", "http://g/v1", "OPENAI_API_KEY", "sk-openai", "NEWAPI_KEY", "sk-newapi");

        assertThat(RuntimeConfig.fromEnvironment(aliases).token()).isEqualTo("sk-openai");
        assertThat(RuntimeConfig.fromEnvironment(with(aliases, "LLM_GATEWAY_TOKEN", "sk-llm")).token()).isEqualTo("sk-llm");
        assertThat(RuntimeConfig.fromEnvironment(Map.of("LLM_GATEWAY_URL", "http://g/v1", "NEWAPI_KEY", "sk-newapi")).token())
                .isEqualTo("sk-newapi");
    }

    @Test
    void tokenFile_beatsEveryTokenVariable() {
        RuntimeConfig config = RuntimeConfig.fromEnvironment(Map.of("LLM_GATEWAY_URL", "http://g/v1",
                "LLM_GATEWAY_TOKEN_FILE", "/run/token", "LLM_GATEWAY_TOKEN", "sk-llm", "OPENAI_API_KEY", "sk-openai"));

        assertThat(config.tokenFile()).isEqualTo(Path.of("/run/token"));
        assertThat(config.token()).isNull();
    }

    @Test
    void toString_neverShowsTheToken() {
        RuntimeConfig config = new RuntimeConfig("127.0.0.1", 0, URI.create("http://g/v1"), null, "sk-secret", null);

        assertThat(config.toString()).doesNotContain("sk-secret").contains("token=(hidden)");
    }

    @Test
    void constructor_requiresExactlyOneTokenSource() {
        URI url = URI.create("http://g/v1");

        assertThatThrownBy(() -> new RuntimeConfig("h", 0, url, null, null, null))
                .hasMessage("tokenFile, token: exactly one must be set");
        assertThatThrownBy(() -> new RuntimeConfig("h", 0, url, Path.of("t"), "t", null))
                .hasMessage("tokenFile, token: exactly one must be set");
    }

    private static List<String> problems(Map<String, String> environment) {
        try {
            RuntimeConfig.fromEnvironment(environment);
        } catch (InvalidConfigurationException e) {
            return e.problems();
        }
        throw new AssertionError("expected an InvalidConfigurationException");
    }

    private static String gatewayUrl(Map<String, String> environment) {
        return RuntimeConfig.fromEnvironment(environment).gatewayUrl().toString();
    }

    private static Map<String, String> with(Map<String, String> environment, String name, String value) {
        Map<String, String> copy = new HashMap<>(environment);
        copy.put(name, value);
        return copy;
    }
}
