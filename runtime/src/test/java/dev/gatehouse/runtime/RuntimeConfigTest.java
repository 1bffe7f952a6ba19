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
    private static final String CREDENTIAL_REQUIRED = "ANTHROPIC_API_KEY_FILE or ANTHROPIC_API_KEY:"
            + " required (expected: the sandbox owner's provider credential, or the path of a file holding it)";
    private static final String NOT_A_VARIABLE_NAME = "LLM_SUBSCRIPTION_VARIABLE: not an environment variable name"
            + " (value not shown; expected: [A-Z_][A-Z0-9_]{0,127}, e.g. ANTHROPIC_API_KEY)";

    @Test
    void minimalEnvironment_getsTheDefaults() {
        RuntimeConfig config = RuntimeConfig.fromEnvironment(
                Map.of("LLM_GATEWAY_URL", "http://gatehouse:8080/v1", "LLM_GATEWAY_TOKEN", "sk-1"));

        assertThat(config).isEqualTo(new RuntimeConfig("0.0.0.0", 8080,
                new LlmAccess.Gateway(URI.create("http://gatehouse:8080/v1"), null, "sk-1"), null));
    }

    @Test
    void everySetting_isRead() {
        RuntimeConfig config = RuntimeConfig.fromEnvironment(Map.of(
                "HOST", "127.0.0.1", "PORT", "9000", "LLM_GATEWAY_URL", "https://gatehouse.example/llm/v1/",
                "LLM_GATEWAY_TOKEN_FILE", "/var/run/secrets/gatehouse/token", "LLM_DEFAULT_MODEL", "qwen3"));

        assertThat(config).isEqualTo(new RuntimeConfig("127.0.0.1", 9000, new LlmAccess.Gateway(
                URI.create("https://gatehouse.example/llm/v1"), Path.of("/var/run/secrets/gatehouse/token"), null), "qwen3"));
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

        assertThat(gateway(aliases).token()).isEqualTo("sk-openai");
        assertThat(gateway(with(aliases, "LLM_GATEWAY_TOKEN", "sk-llm")).token()).isEqualTo("sk-llm");
        assertThat(gateway(Map.of("LLM_GATEWAY_URL", "http://g/v1", "NEWAPI_KEY", "sk-newapi")).token()).isEqualTo("sk-newapi");
    }

    @Test
    void tokenFile_beatsEveryTokenVariable() {
        LlmAccess.Gateway gateway = gateway(Map.of("LLM_GATEWAY_URL", "http://g/v1",
                "LLM_GATEWAY_TOKEN_FILE", "/run/token", "LLM_GATEWAY_TOKEN", "sk-llm", "OPENAI_API_KEY", "sk-openai"));

        assertThat(gateway.tokenFile()).isEqualTo(Path.of("/run/token"));
        assertThat(gateway.token()).isNull();
    }

    @Test
    void toString_neverShowsTheToken() {
        RuntimeConfig config = new RuntimeConfig("127.0.0.1", 0, new LlmAccess.Gateway(URI.create("http://g/v1"), null, "sk-secret"), null);

        assertThat(config.toString()).doesNotContain("sk-secret").contains("token=(hidden)");
    }

    @Test
    void constructor_requiresExactlyOneTokenSource() {
        URI url = URI.create("http://g/v1");

        assertThatThrownBy(() -> new LlmAccess.Gateway(url, null, null))
                .hasMessage("tokenFile, token: exactly one must be set");
        assertThatThrownBy(() -> new LlmAccess.Gateway(url, Path.of("t"), "t"))
                .hasMessage("tokenFile, token: exactly one must be set");
    }

    @Test
    void subscriptionVariable_selectsSubscriptionMode_withoutAnyGatewayVariable() {
        RuntimeConfig config = RuntimeConfig.fromEnvironment(Map.of("LLM_SUBSCRIPTION_VARIABLE", "ANTHROPIC_API_KEY",
                "ANTHROPIC_API_KEY", "sk-ant-secret", "LLM_DEFAULT_MODEL", "claude-sonnet-4"));

        assertThat(config).isEqualTo(new RuntimeConfig("0.0.0.0", 8080,
                new LlmAccess.Subscription("ANTHROPIC_API_KEY", null), "claude-sonnet-4"));
        assertThat(config.toString()).doesNotContain("sk-ant-secret");
    }

    @Test
    void subscriptionCredentialFile_beatsTheVariable_andSufficesAlone() {
        Map<String, String> fileOnly = Map.of("LLM_SUBSCRIPTION_VARIABLE", "ANTHROPIC_API_KEY",
                "ANTHROPIC_API_KEY_FILE", "/run/gatehouse/credential");
        LlmAccess.Subscription expected = new LlmAccess.Subscription("ANTHROPIC_API_KEY", Path.of("/run/gatehouse/credential"));

        assertThat(RuntimeConfig.fromEnvironment(fileOnly).llm()).isEqualTo(expected);
        assertThat(RuntimeConfig.fromEnvironment(with(fileOnly, "ANTHROPIC_API_KEY", "sk-ant-secret")).llm()).isEqualTo(expected);
    }

    @Test
    void subscriptionVariableNamingAGatewayTokenAlias_isTheCredential_notAGatewayToken() {
        RuntimeConfig config = RuntimeConfig.fromEnvironment(Map.of("LLM_SUBSCRIPTION_VARIABLE", "OPENAI_API_KEY",
                "OPENAI_API_KEY", "sk-openai-own"));

        assertThat(config.llm()).isEqualTo(new LlmAccess.Subscription("OPENAI_API_KEY", null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"anthropic_api_key", "1PASSWORD", "ANTHROPIC-API-KEY", "ANTHROPIC API KEY", "sk-ant-secret",
            "KEY$", "ÄPI_KEY"})
    void subscriptionVariableNotAnUpperCaseName_isReportedWithoutEchoingIt(String name) {
        List<String> problems = problems(Map.of("LLM_SUBSCRIPTION_VARIABLE", name, "ANTHROPIC_API_KEY", "sk-ant"));

        assertThat(problems).containsExactly(NOT_A_VARIABLE_NAME);
    }

    @Test
    void subscriptionVariableName_isAtMost128Characters() {
        String longest = "A".repeat(128);

        assertThat(RuntimeConfig.fromEnvironment(Map.of("LLM_SUBSCRIPTION_VARIABLE", longest, longest, "sk-ant")).llm())
                .isEqualTo(new LlmAccess.Subscription(longest, null));
        assertThat(problems(Map.of("LLM_SUBSCRIPTION_VARIABLE", longest + "A", longest + "A", "sk-ant")))
                .containsExactly(NOT_A_VARIABLE_NAME);
    }

    @ParameterizedTest
    @ValueSource(strings = {"PORT", "HOST", "LLM_DEFAULT_MODEL", "LLM_SUBSCRIPTION_VARIABLE", "LLM_GATEWAY_URL",
            "LLM_GATEWAY_TOKEN", "LLM_GATEWAY_TOKEN_FILE"})
    void subscriptionVariableNamingOneOfTheRuntimesOwn_isTheOnlyProblemReported_andTheCredentialNotShown(String name) {
        Map<String, String> environment = with(Map.of(name, "sk-ant-secret"), "LLM_SUBSCRIPTION_VARIABLE", name);

        assertThatThrownBy(() -> RuntimeConfig.fromEnvironment(environment))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
                    assertThat(e.problems()).containsExactly("LLM_SUBSCRIPTION_VARIABLE: \"" + name + "\" is one of the"
                            + " runtime's own variables (expected: the variable holding the provider credential,"
                            + " e.g. ANTHROPIC_API_KEY)");
                    assertThat(e.getMessage()).doesNotContain("sk-ant-secret");
                });
    }

    @Test
    void subscriptionWithGatewayVariables_isReported_namingEachWithoutItsValue() {
        Map<String, String> environment = Map.of("LLM_SUBSCRIPTION_VARIABLE", "ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY", "sk-ant",
                "LLM_GATEWAY_URL", "http://gatehouse:8080/v1", "OPENAI_API_KEY", "sk-gateway-secret",
                "LLM_GATEWAY_TOKEN_FILE", "/run/token");

        assertThatThrownBy(() -> RuntimeConfig.fromEnvironment(environment))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
                    assertThat(e.problems()).containsExactly("LLM_GATEWAY_URL, OPENAI_API_KEY, LLM_GATEWAY_TOKEN_FILE:"
                            + " must not be set when LLM_SUBSCRIPTION_VARIABLE is (a sandbox holds either a gateway token"
                            + " or its owner's credential, never both)");
                    assertThat(e.getMessage()).doesNotContain("sk-gateway-secret", "sk-ant", "/run/token");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"OPENAI_BASE_URL", "OPENAI_API_BASE", "NEWAPI_BASE_URL", "LLM_GATEWAY_TOKEN", "NEWAPI_KEY"})
    void subscriptionWithAnyGatewayAlias_isReported(String gatewayVariable) {
        assertThat(problems(Map.of("LLM_SUBSCRIPTION_VARIABLE", "ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY", "sk-ant",
                gatewayVariable, "x")))
                .singleElement().asString().startsWith(gatewayVariable + ": must not be set when LLM_SUBSCRIPTION_VARIABLE is");
    }

    @Test
    void subscriptionWithoutCredential_isReported_namingTheVariableAndItsFile() {
        assertThat(problems(Map.of("LLM_SUBSCRIPTION_VARIABLE", "ANTHROPIC_API_KEY"))).containsExactly(CREDENTIAL_REQUIRED);
    }

    @Test
    void subscriptionCredentialNotPrintableAscii_isReportedWithoutIt() {
        Map<String, String> environment = Map.of("LLM_SUBSCRIPTION_VARIABLE", "ANTHROPIC_API_KEY",
                "ANTHROPIC_API_KEY", "sk-ant secret");

        assertThatThrownBy(() -> RuntimeConfig.fromEnvironment(environment))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
                    assertThat(e.problems()).containsExactly(
                            "ANTHROPIC_API_KEY: must be printable ASCII without spaces (value not shown)");
                    assertThat(e.getMessage()).doesNotContain("secret");
                });
    }

    @Test
    void blankSubscriptionVariable_meansGatewayMode() {
        assertThat(RuntimeConfig.fromEnvironment(Map.of("LLM_SUBSCRIPTION_VARIABLE", " ", "LLM_GATEWAY_URL", "http://g/v1",
                "LLM_GATEWAY_TOKEN", "t")).llm()).isInstanceOf(LlmAccess.Gateway.class);
        assertThat(problems(Map.of("LLM_SUBSCRIPTION_VARIABLE", ""))).containsExactly(URL_REQUIRED, TOKEN_REQUIRED);
    }

    @Test
    void blankCredentialAndBlankGatewayVariables_countAsUnset_inSubscriptionMode() {
        Map<String, String> blanks = Map.of("LLM_SUBSCRIPTION_VARIABLE", "ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY", " ",
                "ANTHROPIC_API_KEY_FILE", "", "LLM_GATEWAY_URL", " ", "LLM_GATEWAY_TOKEN", "\t");

        assertThat(problems(blanks)).containsExactly(CREDENTIAL_REQUIRED);
        assertThat(RuntimeConfig.fromEnvironment(with(blanks, "ANTHROPIC_API_KEY", " sk-ant ")).llm())
                .isEqualTo(new LlmAccess.Subscription("ANTHROPIC_API_KEY", null));
    }

    @Test
    void everySubscriptionProblem_isReportedAtOnce() {
        assertThat(problems(Map.of("PORT", "0", "LLM_SUBSCRIPTION_VARIABLE", "ANTHROPIC_API_KEY", "NEWAPI_KEY", "sk-gw")))
                .containsExactly("PORT: \"0\" (expected: 1..65535)",
                        "NEWAPI_KEY: must not be set when LLM_SUBSCRIPTION_VARIABLE is (a sandbox holds either a gateway"
                                + " token or its owner's credential, never both)",
                        CREDENTIAL_REQUIRED);
    }

    @Test
    void subscriptionConstructor_requiresAnUpperCaseVariableName() {
        assertThatThrownBy(() -> new LlmAccess.Subscription("sk-ant-secret", null))
                .hasMessage("variable: not an environment variable name (expected: [A-Z_][A-Z0-9_]{0,127})");
        assertThatThrownBy(() -> new LlmAccess.Subscription(null, null)).hasMessage("variable");
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
        return gateway(environment).url().toString();
    }

    private static LlmAccess.Gateway gateway(Map<String, String> environment) {
        return (LlmAccess.Gateway) RuntimeConfig.fromEnvironment(environment).llm();
    }

    private static Map<String, String> with(Map<String, String> environment, String name, String value) {
        Map<String, String> copy = new HashMap<>(environment);
        copy.put(name, value);
        return copy;
    }
}
