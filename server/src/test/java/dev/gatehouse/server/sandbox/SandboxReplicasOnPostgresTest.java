package dev.gatehouse.server.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.TwoReplicasOnPostgres;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.identity.LocalSession;
import dev.gatehouse.server.sandbox.kubernetes.KubernetesBackend;
import dev.gatehouse.server.store.TestDatabases;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import dev.gatehouse.server.testing.Await;
import dev.gatehouse.server.testing.MutableClock;
import dev.gatehouse.server.tokens.SigningTokenMinter;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas on one PostgreSQL schema, both running the kubernetes backend against one Kubernetes
 * API server (fabric8's mock, CRUD mode) and both reaping every 100 ms on one clock: every sandbox's
 * token is rotated exactly once and every sandbox stopped exactly once, whichever replica created it.
 */
@EnableKubernetesMockClient(crud = true)
class SandboxReplicasOnPostgresTest {
    static final String NAMESPACE = "gatehouse-sandboxes";

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;

    @Test
    void twoReplicas_rotateEachSandboxsTokenOnce_andStopEachSandboxOnce() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        try (TestStore store = TestDatabases.postgres()) {
            Map<String, String> env = environment(store);
            GatehouseConfig configA = TestGatehouse.config(dir.resolve("a"), env);
            try (Gatehouse a = start(configA, clock);
                    Gatehouse b = start(TestGatehouse.config(dir.resolve("b"), env), clock)) {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    Gatehouse replica = i % 2 == 0 ? a : b;
                    ids.add(create(replica, session(a, configA, "user-" + i)));
                }
                ids.forEach(this::markReady);
                Await.until("every sandbox running", Duration.ofSeconds(20), () ->
                        ids.stream().allMatch(id -> status(a, id).equals("running")));

                clock.advance(Duration.ofDays(6).plusHours(1));
                Await.until("every token rotated", Duration.ofSeconds(20), () ->
                        ids.stream().allMatch(id -> tokens(a, id) == 2));
                Thread.sleep(1_000);
                for (String id : ids) {
                    assertThat(tokens(a, id)).as("tokens of %s", id).isEqualTo(2);
                    assertThat(audited(a, "sandbox_token.issued", "sandbox-controller", id)).isEqualTo(1);
                }

                clock.advance(Duration.ofDays(5));
                Await.until("every sandbox stopped", Duration.ofSeconds(20), () ->
                        ids.stream().allMatch(id -> status(a, id).equals("stopped")));
                Thread.sleep(1_000);
                for (String id : ids) {
                    assertThat(audited(a, SandboxAudit.STOPPED, "sandbox-controller", id)).as("stops of %s", id)
                            .isEqualTo(1);
                    assertThat(audited(a, SandboxAudit.FAILED, "sandbox-controller", id)).isZero();
                    int unrevoked = a.database().jdbi().withHandle(handle -> handle.createQuery(
                            "SELECT COUNT(*) FROM sandbox_tokens WHERE sandbox_id = :id AND revoked_at IS NULL")
                            .bind("id", id).mapTo(Integer.class).one());
                    assertThat(unrevoked).isZero();
                }
                assertThat(client.pods().inNamespace(NAMESPACE).list().getItems()).isEmpty();
                assertThat(client.secrets().inNamespace(NAMESPACE).list().getItems()).isEmpty();
            }
        }
    }

    private Gatehouse start(GatehouseConfig config, Clock clock) {
        return Gatehouse.builder(config).clock(clock)
                .sandboxBackend(c -> KubernetesBackend.create(client, c.sandbox().kubernetes()))
                .start();
    }

    private static Map<String, String> environment(TestStore store) {
        Map<String, String> env = new HashMap<>(TwoReplicasOnPostgres.storeAndKek(store.config()));
        env.put("GATEHOUSE_GATEWAY_CHANNELS", "[{\"name\":\"qwen-a\",\"provider\":\"qwen\","
                + "\"baseUrl\":\"http://127.0.0.1:9/v1\",\"models\":[\"qwen3\"]}]");
        env.put("GATEHOUSE_SANDBOX_BACKEND", "kubernetes");
        env.put("GATEHOUSE_SANDBOX_KUBERNETES_NAMESPACE", NAMESPACE);
        env.put("GATEHOUSE_SANDBOX_KUBERNETES_IMAGE", "ghcr.io/gatehouse/runtime@sha256:" + "0".repeat(64));
        env.put("GATEHOUSE_SANDBOX_KUBERNETES_GATEWAY_CIDR", "10.42.0.0/16");
        env.put("GATEHOUSE_SANDBOX_IDLE_TIMEOUT", "10d");
        env.put("GATEHOUSE_SANDBOX_MAX_LIFETIME", "100d");
        env.put("GATEHOUSE_SANDBOX_REAP_INTERVAL", "100ms");
        return env;
    }

    private static String session(Gatehouse replica, GatehouseConfig config, String user) {
        return SigningTokenMinter.of(replica.keyRing(), config.tokens(), Clock.systemUTC()).mint(LocalSession.request(
                user, "acme", List.of(), List.of(), Duration.ofHours(1), config.tokens().issuer())).token();
    }

    private static String create(Gatehouse replica, String session) {
        HttpResponse<String> created = TestGatehouse.send(HttpRequest.newBuilder(
                        replica.localUrl().resolve("/api/v1/sandbox/sessions"))
                .header("Authorization", "Bearer " + session).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return new JsonObject(created.body()).getString("id");
    }

    /** What the kubelet would do once the runtime answers its readiness probe. */
    private void markReady(String id) {
        client.pods().inNamespace(NAMESPACE).withName("sandbox-" + id + "-1").editStatus(pod -> new PodBuilder(pod)
                .withStatus(new PodStatusBuilder().withPhase("Running")
                        .addNewCondition().withType("Ready").withStatus("True").endCondition().build())
                .build());
    }

    private static String status(Gatehouse replica, String id) {
        return replica.database().jdbi().withHandle(handle -> handle.createQuery(
                "SELECT status FROM sandboxes WHERE id = :id").bind("id", id).mapTo(String.class).one());
    }

    private static int tokens(Gatehouse replica, String id) {
        return replica.database().jdbi().withHandle(handle -> handle.createQuery(
                "SELECT COUNT(*) FROM sandbox_tokens WHERE sandbox_id = :id").bind("id", id).mapTo(Integer.class).one());
    }

    private static int audited(Gatehouse replica, String action, String actor, String id) {
        return replica.database().jdbi().withHandle(handle -> handle.createQuery("""
                        SELECT COUNT(*) FROM audit_events
                        WHERE action = :action AND actor_subject = :actor AND (target = :id OR detail LIKE :inDetail)""")
                .bind("action", action).bind("actor", actor).bind("id", id).bind("inDetail", "%" + id + "%")
                .mapTo(Integer.class).one());
    }
}
