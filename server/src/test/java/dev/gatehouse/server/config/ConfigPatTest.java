package dev.gatehouse.server.config;

import static dev.gatehouse.server.config.ConfigTestSupport.problemsOf;
import static dev.gatehouse.server.config.ConfigTestSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.secrets.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pat.* and admin.* keys. */
class ConfigPatTest {
    private static final String ADMIN_SECRET = "Xyzzy-admin-secret-0123456789-abcdef";

    @TempDir
    Path dir;

    @Test
    void defaults() {
        GatehouseConfig config = ConfigLoader.load(null, Map.of());

        assertThat(config.pat().defaultTtl()).isEqualTo(Duration.ofDays(7));
        assertThat(config.pat().maxTtl()).isEqualTo(Duration.ofDays(90));
        assertThat(config.pat().audiences()).containsExactly("gateway", "newapi");
        assertThat(config.pat().bridgeAudience()).isEqualTo("newapi");
        assertThat(config.pat().revocationPollInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.pat().lastUsedFlushInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.pat().maxActivePerUser()).isEqualTo(100);
        assertThat(config.admin().secret()).isEmpty();
    }

    @Test
    void maxActivePerUser_outOfRange_isAProblem() {
        assertThat(problemsOf(null, Map.of("GATEHOUSE_PAT_MAX_ACTIVE_PER_USER", "0")))
                .containsExactly("GATEHOUSE_PAT_MAX_ACTIVE_PER_USER: 0 (expected: 1..10000)");
    }

    @Test
    void patMaxTtl_aboveTokensMaxTtl_isAProblem_butFineWhenTokensMaxTtlIsRaisedToo() {
        assertThat(problemsOf(null, Map.of("GATEHOUSE_PAT_MAX_TTL", "100d")))
                .containsExactly("GATEHOUSE_PAT_MAX_TTL: 100d (expected: at most tokens.maxTtl, 90d)");
        assertThat(problemsOf(null, Map.of("GATEHOUSE_TOKENS_MAX_TTL", "30d", "GATEHOUSE_PAT_MAX_TTL", "60d")))
                .containsExactly("GATEHOUSE_PAT_MAX_TTL: 60d (expected: at most tokens.maxTtl, 30d)");
        GatehouseConfig shortTokens = ConfigLoader.load(null, Map.of("GATEHOUSE_TOKENS_MAX_TTL", "36h"));
        assertThat(shortTokens.pat().maxTtl()).as("default follows a shorter tokens.maxTtl").isEqualTo(Duration.ofHours(36));
        assertThat(shortTokens.pat().defaultTtl()).isEqualTo(Duration.ofHours(36));

        GatehouseConfig config = ConfigLoader.load(null, Map.of(
                "GATEHOUSE_PAT_MAX_TTL", "100d", "GATEHOUSE_TOKENS_MAX_TTL", "180d",
                "GATEHOUSE_PAT_DEFAULT_TTL", "1d"));

        assertThat(config.pat().maxTtl()).isEqualTo(Duration.ofDays(100));
        assertThat(config.pat().defaultTtl()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void rangeProblems_areEachNamed() {
        assertThat(problemsOf(null, Map.of(
                "GATEHOUSE_PAT_DEFAULT_TTL", "0s",
                "GATEHOUSE_PAT_REVOCATION_POLL_INTERVAL", "10s",
                "GATEHOUSE_PAT_AUDIENCES", " , ",
                "GATEHOUSE_PAT_LAST_USED_FLUSH_INTERVAL", "soon")))
                .containsExactlyInAnyOrder(
                        "GATEHOUSE_PAT_LAST_USED_FLUSH_INTERVAL: \"soon\" (expected: duration with a unit (ms, s, m, h or d,"
                                + " e.g. 30s) or ISO-8601 (e.g. PT30S))",
                        "GATEHOUSE_PAT_DEFAULT_TTL: PT0S (expected: > 0)",
                        "GATEHOUSE_PAT_REVOCATION_POLL_INTERVAL: PT10S (expected: at most PT5S)",
                        "GATEHOUSE_PAT_AUDIENCES: [] (expected: at least one audience)");
        assertThat(problemsOf(null, Map.of("GATEHOUSE_PAT_DEFAULT_TTL", "91d")))
                .containsExactly("GATEHOUSE_PAT_DEFAULT_TTL: 91d (expected: at most pat.maxTtl, 90d)");
    }

    @Test
    void audiences_areAList() {
        GatehouseConfig config = ConfigLoader.load(null, Map.of("GATEHOUSE_PAT_AUDIENCES", "gateway, sandbox"));

        assertThat(config.pat().audiences()).containsExactly("gateway", "sandbox");
    }

    @Test
    void adminSecret_fromNewApiAliasOrItsFile_tooShortIsAProblemWithoutTheValue() {
        assertThat(ConfigLoader.load(null, Map.of("NEWAPI_ADMIN_SECRET", ADMIN_SECRET)).admin().secret())
                .contains(Secret.of(ADMIN_SECRET));
        assertThat(ConfigLoader.load(null, Map.of("NEWAPI_ADMIN_SECRET_FILE",
                write(dir, "admin", ADMIN_SECRET + "\n").toString())).admin().secret())
                .contains(Secret.of(ADMIN_SECRET));

        List<String> problems = problemsOf(null, Map.of("GATEHOUSE_ADMIN_SECRET", "Xyzzy-short"));

        assertThat(problems).containsExactly("GATEHOUSE_ADMIN_SECRET: 11 bytes (expected: >= 32 bytes)");
        assertThat(ConfigLoader.describe(ConfigLoader.load(null, Map.of("GATEHOUSE_ADMIN_SECRET", ADMIN_SECRET))))
                .contains("admin.secret = (set)").noneMatch(line -> line.contains("Xyzzy"));
    }
}
