package dev.gatehouse.server.cli;

import static dev.gatehouse.server.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import dev.gatehouse.server.Infrastructure;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator commands, run through the real command line against a real embedded store. */
class GatehouseCliTest {
    @TempDir
    Path dir;

    Path configFile;

    @BeforeEach
    void writeConfig() throws Exception {
        configFile = dir.resolve("gatehouse.yaml");
        Files.writeString(configFile, """
                dataDir: %s
                tokens:
                  issuer: http://gatehouse.test
                """.formatted(dir.resolve("data")));
    }

    @Test
    void configCheck_validFile_exits0AndDescribesIt() {
        CliRun run = run("config", "check", configFile.toString());

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).contains("tokens.issuer = http://gatehouse.test").contains("keys.kek = (not set)");
        assertThat(run.err()).contains("configuration OK");
    }

    @Test
    void configCheck_reportsEveryProblemAtOnce_exit2() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                server:
                  port: abc
                  hots: 0.0.0.0
                tokens:
                  clockSkew: 1h
                """);

        CliRun run = run("config", "check", bad.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("server.port").contains("server.hots").contains("tokens.clockSkew");
    }

    @Test
    void configCheck_missingFile_exit2() {
        CliRun run = run("config", "check", dir.resolve("absent.yaml").toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("not found");
    }

    @Test
    void aOneShotCommand_runAsItsOwnProcess_printsItsResultOnStdout_andOnlyWarningsOnStderr() throws Exception {
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        // The shipped logging configuration (the test classpath's logback-test.xml would win otherwise).
        Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-Dlogback.configurationFile=logback.xml",
                "-cp", System.getProperty("java.class.path"), GatehouseCli.class.getName(),
                "keys", "list", "-c", configFile.toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the command ended").isTrue();
        } finally {
            process.destroyForcibly();
        }

        assertThat(process.exitValue()).isZero();
        assertThat(Files.readString(out).lines().filter(l -> l.contains(" active "))).hasSize(1);
        assertThat(Files.readString(err)).as("the development KEK is worth a warning")
                .contains("WARN").contains("keys.kek")
                .doesNotContain(" INFO ");
    }

    @Test
    void keysRotate_publishesAPendingKey_whileTheOldOneKeepsSigning() {
        CliRun first = run("keys", "list", "-c", configFile.toString());
        assertThat(first.exitCode()).isEqualTo(0);
        assertThat(first.out().lines().filter(l -> l.contains(" active "))).hasSize(1);

        CliRun rotate = run("keys", "rotate", "-c", configFile.toString());

        assertThat(rotate.exitCode()).isEqualTo(0);
        assertThat(rotate.out()).contains("is published now and signs from");
        CliRun after = run("keys", "list", "-c", configFile.toString());
        assertThat(after.out().lines().filter(l -> l.contains(" pending "))).hasSize(1);
        assertThat(after.out().lines().filter(l -> l.contains(" active "))).as("old key signs until the new one takes over")
                .hasSize(1);
    }

    @Test
    void keysRevoke_theNewestKey_isRefusedWithWhatToDo_exit1_thenAfterARotation_revokesIt_audited() throws Exception {
        String newest = kid(run("keys", "list", "-c", configFile.toString()), " active ");

        CliRun refused = run("keys", "revoke", "-c", configFile.toString(), newest);
        CliRun unknown = run("keys", "revoke", "-c", configFile.toString(), "no-such-kid");

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("\"" + newest + "\" is the newest key").contains("gatehouse keys rotate");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("no signing key \"no-such-kid\"");

        assertThat(run("keys", "rotate", "-c", configFile.toString()).exitCode()).isEqualTo(0);
        CliRun revoked = run("keys", "revoke", "-c", configFile.toString(), newest);

        assertThat(revoked.exitCode()).as(revoked.err()).isEqualTo(0);
        assertThat(revoked.out()).contains("Signing key " + newest + " is revoked");
        assertThat(revoked.out().lines().filter(line -> line.startsWith(newest)))
                .singleElement().asString().contains(" revoked ").contains("never: revoked ");
        assertThat(revoked.out().lines().filter(line -> line.contains(" active ")))
                .as("the rotated-in key signs at once").hasSize(1);
        try (Infrastructure infrastructure = Infrastructure.open(ConfigLoader.load(configFile, Map.of()), Clock.systemUTC())) {
            assertThat(infrastructure.keyRing().publicJwkSet().getKeyByKeyId(newest)).isNull();
            List<String> actors = infrastructure.database().jdbi().withHandle(handle -> handle.createQuery(
                            "SELECT actor_issuer FROM audit_events WHERE action = 'key.revoked' AND target = :kid")
                    .bind("kid", newest).mapTo(String.class).list());
            assertThat(actors).containsExactly("urn:gatehouse:cli");
        }
    }

    private static String kid(CliRun list, String state) {
        return list.out().lines().filter(line -> line.contains(state)).findFirst().orElseThrow().split(" ")[0];
    }

    @Test
    void tokenInspect_validToken_exit0() throws Exception {
        String token = sign(Instant.now().plus(1, ChronoUnit.HOURS));

        CliRun run = run("token", "inspect", "-c", configFile.toString(), token);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).contains("valid: session token for alice (organization acme)");
        assertThat(run.out()).contains("\"org_id\":\"acme\"").doesNotContain(token);
    }

    @Test
    void tokenInspect_expiredToken_saysWhy_exit1() throws Exception {
        String token = sign(Instant.now().minus(1, ChronoUnit.HOURS));

        CliRun run = run("token", "inspect", "-c", configFile.toString(), token);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("invalid: token_expired");
    }

    @Test
    void tokenInspect_notAJwt_exit1() {
        CliRun run = run("token", "inspect", "-c", configFile.toString(), "hello");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("invalid: malformed_token");
    }

    @Test
    void tokenInspect_wrongAudienceRequested_exit1() throws Exception {
        String token = sign(Instant.now().plus(1, ChronoUnit.HOURS));

        CliRun run = run("token", "inspect", "-c", configFile.toString(), "--audience", "gateway", token);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("invalid: wrong_audience");
    }

    @Test
    void serve_unknownRole_exit2() {
        CliRun run = run("serve", "-c", configFile.toString(), "--roles", "auth,bogus");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--roles: bogus");
    }

    private String sign(Instant expiry) throws Exception {
        JWK key;
        try (Infrastructure infrastructure = Infrastructure.open(ConfigLoader.load(configFile, Map.of()), Clock.systemUTC())) {
            key = infrastructure.keyRing().activeSigningKey();
        }
        return TestGatehouse.signEs256(key, TestGatehouse.sessionClaims(claims -> claims
                .claim("org_id", "acme")
                .issueTime(Date.from(expiry.minus(2, ChronoUnit.HOURS)))
                .expirationTime(Date.from(expiry))));
    }


}
