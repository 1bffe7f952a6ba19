package dev.gatehouse.server.config;

import static dev.gatehouse.server.config.ConfigTestSupport.loadYaml;
import static dev.gatehouse.server.config.ConfigTestSupport.problemsOf;
import static dev.gatehouse.server.config.ConfigTestSupport.yamlProblems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.byos.ByosConfig;
import dev.gatehouse.server.byos.ByosProvider;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code byos.*}: defaults, providers from YAML and the environment, and every problem named. */
class ConfigByosTest {
    private static final String OAUTH_PROVIDER = """
            {"name": "claude-code", "authorizeUrl": "https://auth.example/authorize",
             "tokenUrl": "https://auth.example/token", "revocationUrl": "https://auth.example/revoke",
             "clientId": "gatehouse-acme", "clientSecretEnv": "CLAUDE_CLIENT_SECRET", "scopes": ["user:inference"],
             "redirectUri": "https://gatehouse.example/api/v1/sandbox/byos/claude-code/callback",
             "sandboxVariable": "ANTHROPIC_API_KEY", "apiCidrs": ["160.79.104.0/23"]}""";

    @TempDir
    Path dir;

    @Test
    void defaults_noProvider_noConsole() {
        ByosConfig byos = ConfigLoader.load(null, Map.of()).byos();

        assertThat(byos.providers()).isEmpty();
        assertThat(byos.consoleUrl()).isEmpty();
        assertThat(byos.stateTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(byos.refreshBefore()).isEqualTo(Duration.ofMinutes(5));
        assertThat(byos.refreshInterval()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void oauthProviderFromTheEnvironment_keyOnlyProviderFromYaml() {
        ByosConfig fromEnv = ConfigLoader.load(null, Map.of("GATEHOUSE_BYOS_PROVIDERS", "[" + OAUTH_PROVIDER + "]",
                "GATEHOUSE_BYOS_CONSOLE_URL", "https://console.example/app")).byos();

        ByosProvider claude = fromEnv.provider("claude-code").orElseThrow();
        ByosProvider.OAuth oauth = claude.oauth().orElseThrow();
        assertThat(oauth.tokenUrl()).isEqualTo(URI.create("https://auth.example/token"));
        assertThat(oauth.revocationUrl()).contains(URI.create("https://auth.example/revoke"));
        assertThat(oauth.clientSecretEnv()).contains("CLAUDE_CLIENT_SECRET");
        assertThat(oauth.scopes()).containsExactly("user:inference");
        assertThat(claude.sandboxVariable()).isEqualTo("ANTHROPIC_API_KEY");
        assertThat(claude.apiCidrs()).containsExactly("160.79.104.0/23");
        assertThat(claude.apiPort()).isEqualTo(443);
        assertThat(fromEnv.consoleUrl()).contains(URI.create("https://console.example/app"));

        ByosConfig fromYaml = loadYaml(dir, """
                byos:
                  providers:
                    - {name: openai, sandboxVariable: OPENAI_API_KEY, apiCidrs: [162.159.140.0/24], apiPort: 8443}
                """, Map.of()).byos();
        ByosProvider openai = fromYaml.provider("openai").orElseThrow();
        assertThat(openai.oauth()).isEmpty();
        assertThat(openai.apiPort()).isEqualTo(8443);
    }

    @Test
    void badProviders_areNamedByPositionAndField() {
        assertThat(yamlProblems(dir, """
                byos:
                  providers:
                    - {name: Claude, sandboxVariable: ANTHROPIC_API_KEY}
                """)).singleElement().asString().startsWith("byos.providers[0].name: \"Claude\" (expected: 1..63 lower-case");
        assertThat(yamlProblems(dir, """
                byos:
                  providers:
                    - {name: a, sandboxVariable: PORT}
                """)).singleElement().asString().startsWith("byos.providers[0].sandboxVariable: \"PORT\" (expected:");
        assertThat(yamlProblems(dir, """
                byos:
                  providers:
                    - {name: a, sandboxVariable: A_KEY, tokenUrl: "https://auth.example/token"}
                """)).singleElement().asString().startsWith("byos.providers[0].authorizeUrl: missing");
        assertThat(yamlProblems(dir, """
                byos:
                  providers:
                    - {name: a, sandboxVariable: A_KEY, apiCidrs: [example.com]}
                """)).singleElement().asString().startsWith("byos.providers[0].apiCidrs[0]: \"example.com\"");
        assertThat(yamlProblems(dir, """
                byos:
                  providers:
                    - {name: a, sandboxVariable: A_KEY}
                    - {name: a, sandboxVariable: B_KEY}
                """)).singleElement().asString().contains("\"a\" (expected: each provider name once)");
        assertThat(yamlProblems(dir, """
                byos:
                  providers:
                    - {name: a, sandboxVariable: A_KEY, clientSecret: oops}
                """)).singleElement().asString().startsWith("byos.providers[0].clientSecret: unknown field");
    }

    @Test
    void consoleUrlWithAQuery_isRefused() {
        assertThat(problemsOf(null, Map.of("GATEHOUSE_BYOS_CONSOLE_URL", "https://console.example/?x=1")))
                .singleElement().asString().contains("expected: http or https URL without query or fragment");
    }

    @Test
    void production_refusesAPlainHttpConsole() {
        assertThat(problemsOf(null, Map.of("GATEHOUSE_PRODUCTION", "true",
                "GATEHOUSE_BYOS_CONSOLE_URL", "http://console.example.com/app")))
                .contains("GATEHOUSE_BYOS_CONSOLE_URL: \"http://console.example.com/app\" (expected: https URL in production)");
    }

    @Test
    void production_refusesPlainHttpOAuthEndpoints() {
        List<String> problems = problemsOf(null, Map.of(
                "GATEHOUSE_PRODUCTION", "true",
                "GATEHOUSE_BYOS_PROVIDERS", "[" + OAUTH_PROVIDER.replace("https://auth.example/token",
                        "http://auth.example/token") + "]"));

        assertThat(problems).anySatisfy(problem -> assertThat(problem).startsWith("GATEHOUSE_BYOS_PROVIDERS: ")
                .contains("(expected: https authorizeUrl, tokenUrl, revocationUrl and redirectUri in production"));
    }
}
