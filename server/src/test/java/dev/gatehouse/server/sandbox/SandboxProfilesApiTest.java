package dev.gatehouse.server.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.TestGatehouse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /api/v1/sandbox/profiles on a whole Gatehouse: what a member chooses from, and nothing more. */
class SandboxProfilesApiTest {
    @TempDir
    static Path dataDir;

    static SandboxHarness harness;

    @BeforeAll
    static void start() {
        JsonArray profiles = new JsonArray()
                .add(new JsonObject().put("name", "review").put("model", "json")
                        .put("channels", new JsonArray(List.of("fake-a")))
                        .put("command", new JsonArray(List.of("sh", "-c", "exec secret-runtime --password=hunter2")))
                        .put("resources", new JsonObject().put("cpuLimit", "2").put("memoryLimit", "1Gi")));
        harness = SandboxHarness.start(dataDir, Map.of(
                "GATEHOUSE_SANDBOX_PROFILES", profiles.encode(),
                "GATEHOUSE_SANDBOX_IDLE_TIMEOUT", "15m",
                "GATEHOUSE_SANDBOX_MAX_LIFETIME", "8h"), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void aMember_getsEachProfilesNameDefaultModelAndTimeouts_only() {
        HttpResponse<String> response = TestGatehouse.get(harness.url("/api/v1/sandbox/profiles"),
                "Authorization", "Bearer " + harness.session("alice", "acme"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(new JsonObject(response.body())).isEqualTo(new JsonObject("""
                {"profiles": [
                  {"name": "default", "default": true, "model": null, "idle_timeout_seconds": 900, "max_lifetime_seconds": 28800},
                  {"name": "review", "default": false, "model": "json", "idle_timeout_seconds": 900, "max_lifetime_seconds": 28800}
                ]}"""));
        assertThat(response.body()).doesNotContain("hunter2", "fake-a", "1Gi");
    }

    @Test
    void withoutASession_401() {
        HttpResponse<String> none = TestGatehouse.get(harness.url("/api/v1/sandbox/profiles"));
        HttpResponse<String> forged = TestGatehouse.get(harness.url("/api/v1/sandbox/profiles"),
                "Authorization", "Bearer not-a-token");

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(none.body()).getString("code")).isEqualTo("missing_token");
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(none.body() + forged.body()).doesNotContain("review");
    }
}
