package dev.gatehouse.server.cli;

import static dev.gatehouse.server.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.server.Infrastructure;
import dev.gatehouse.server.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gatehouse session issue}: the local, development-only identity. */
class SessionIssueTest {
    @TempDir
    Path dir;

    @Test
    void issue_printsASessionToken_thatTheServersCallerVerifierAccepts() throws Exception {
        Path config = config("");

        CliRun run = run("session", "issue", "-c", config.toString(), "--user", "alice", "--org", "acme",
                "--group", "dev", "--group", "ops", "--capability", "pat:create", "--ttl", "1h");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("DEVELOPMENT-ONLY LOCAL IDENTITY").doesNotContain(run.out().strip());
        String token = run.out().strip();
        try (Infrastructure infrastructure = Infrastructure.open(ConfigLoader.load(config, Map.of()), Clock.systemUTC())) {
            Claims claims = infrastructure.callerVerifier().verify(token);
            assertThat(claims.type()).isEqualTo(TokenType.SESSION);
            assertThat(claims.subject()).isEqualTo("alice");
            assertThat(claims.organization()).hasValue("acme");
            assertThat(claims.groups()).containsExactly("dev", "ops");
            assertThat(claims.capabilities()).as("every local session holds llm:use").containsExactly("pat:create", "llm:use");
            assertThat(claims.audience()).containsExactly("http://gatehouse.test");
            assertThat(claims.tokenId()).isPresent();
            assertThat(Duration.between(claims.issuedAt(), claims.expiresAt())).isEqualTo(Duration.ofHours(1));
        }
    }

    @Test
    void issue_refusedWhenLocalIdentityIsOff_exit2() throws Exception {
        CliRun run = run("session", "issue", "-c", config("identity:\n  local: false\n").toString(),
                "--user", "alice", "--org", "acme");

        assertThat(run.exitCode()).isEqualTo(GatehouseCli.EXIT_USAGE);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("local identity is for development only");
    }

    @Test
    void issue_refusedInProduction_exit2() throws Exception {
        CliRun run = run("session", "issue", "-c", config("production: true\n").toString(),
                "--user", "alice", "--org", "acme");

        assertThat(run.exitCode()).isEqualTo(GatehouseCli.EXIT_USAGE);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("identity.local: \"true\" (expected: false in production;"
                + " local identity is for development only)");
    }

    @Test
    void issue_badTtl_exit2() throws Exception {
        Path config = config("");
        for (String ttl : new String[] {"0s", "-1h", "abc", "91d"}) {
            CliRun run = run("session", "issue", "-c", config.toString(), "--user", "alice", "--org", "acme", "--ttl", ttl);

            assertThat(run.exitCode()).as(ttl).isEqualTo(GatehouseCli.EXIT_USAGE);
            assertThat(run.out()).as(ttl).isEmpty();
        }
    }

    private Path config(String extra) throws Exception {
        return Files.writeString(dir.resolve("gatehouse.yaml"), """
                dataDir: %s
                tokens:
                  issuer: http://gatehouse.test
                """.formatted(dir.resolve("data")) + extra);
    }


}
