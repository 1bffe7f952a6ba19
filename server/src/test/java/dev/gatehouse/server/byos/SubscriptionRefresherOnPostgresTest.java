package dev.gatehouse.server.byos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.audit.JdbcAuditLog;
import dev.gatehouse.server.secrets.Secret;
import dev.gatehouse.server.crypto.EnvelopeVault;
import dev.gatehouse.server.crypto.KeyEncryptionKey;
import dev.gatehouse.server.crypto.LocalKeyWrapper;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.store.TestDatabases;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import dev.gatehouse.server.testing.MutableClock;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The refresh as two replicas run it, on the real PostgreSQL, against a local token endpoint that
 * speaks OAuth 2.0 (rotating refresh tokens, refusing with {@code invalid_grant}, or unavailable):
 * each due connection is refreshed once, a refusal breaks it for good, an outage is retried.
 */
class SubscriptionRefresherOnPostgresTest {
    private static final ByosOwner OWNER = new ByosOwner("alice", "https://sso.example.com/realms/acme", "acme");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));
    private final AtomicInteger refreshGrants = new AtomicInteger();
    private final AtomicReference<String> mode = new AtomicReference<>("ok");
    private final AtomicReference<String> lastRefreshToken = new AtomicReference<>();
    private Vertx vertx;
    private HttpServer tokenEndpoint;
    private TestStore store;
    private Database replicaA;
    private Database replicaB;
    private EnvelopeVault vault;
    private ByosConnections connections;
    private ByosConfig config;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        tokenEndpoint = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            String form = body.toString();
            refreshGrants.incrementAndGet();
            lastRefreshToken.set(form.replaceAll(".*refresh_token=([^&]*).*", "$1"));
            String answer = mode.get();
            // Long enough for the other replica to look at the same connection meanwhile.
            vertx.setTimer(200, id -> {
                switch (answer) {
                    case "ok" -> request.response().putHeader("Content-Type", "application/json")
                            .end(new JsonObject().put("access_token", "at-" + refreshGrants.get())
                                    .put("refresh_token", "rt-" + refreshGrants.get()).put("token_type", "Bearer")
                                    .put("expires_in", 600).encode());
                    case "refuse" -> request.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                            .end("{\"error\":\"invalid_grant\",\"error_description\":\"Session not active\"}");
                    case "client" -> request.response().setStatusCode(401).putHeader("Content-Type", "application/json")
                            .end("{\"error\":\"invalid_client\"}");
                    case "limited" -> request.response().setStatusCode(429).putHeader("Content-Type", "application/json")
                            .end("{\"error\":\"slow_down\"}");
                    default -> request.response().setStatusCode(503).putHeader("Content-Type", "application/json")
                            .end("{\"error\":\"temporarily_unavailable\"}");
                }
            });
        })).listen(0, "127.0.0.1").await();
        store = TestDatabases.postgres();
        replicaA = store.open();
        replicaB = store.open();
        byte[] kek = new byte[32];
        new SecureRandom().nextBytes(kek);
        vault = new EnvelopeVault(new LocalKeyWrapper(KeyEncryptionKey.of(Secret.ofBytes(kek))));
        connections = new ByosConnections(replicaA, vault);
        String base = "http://127.0.0.1:" + tokenEndpoint.actualPort();
        config = new ByosConfig(List.of(new ByosProvider("llm", Optional.of(new ByosProvider.OAuth(
                URI.create(base + "/authorize"), URI.create(base + "/token"), Optional.empty(), "gatehouse",
                Optional.empty(), Optional.empty(), List.of("inference"), URI.create("http://127.0.0.1:1/callback"))),
                "LLM_API_KEY", List.of(), 443)), Optional.empty(), Duration.ofMinutes(10), Duration.ofMinutes(5),
                Duration.ofMinutes(1));
    }

    @AfterEach
    void stop() throws Exception {
        store.close();
        tokenEndpoint.close().await();
        vertx.close().await();
    }

    @Test
    void dueConnection_isRefreshedOnce_byOneOfTwoReplicas_withTheRotatedRefreshToken() throws Exception {
        connect("at-0", "rt-0", Duration.ofMinutes(60));
        clock.advance(Duration.ofMinutes(56));

        List<SubscriptionRefresher.RefreshReport> reports = concurrently(refresher(replicaA), refresher(replicaB));

        assertThat(refreshGrants).hasValue(1);
        assertThat(lastRefreshToken).hasValue("rt-0");
        assertThat(reports.stream().mapToInt(SubscriptionRefresher.RefreshReport::refreshed).sum()).isEqualTo(1);
        Connection refreshed = connections.find(OWNER, "llm").orElseThrow();
        assertThat(connections.credential(refreshed)).isEqualTo("at-1");
        assertThat(connections.refreshToken(refreshed)).isEqualTo("rt-1");
        assertThat(refreshed.expiresAt()).contains(clock.instant().plusSeconds(600));
        assertThat(refreshed.lastRefreshAt()).contains(clock.instant());

        refresher(replicaA).refreshDue();
        assertThat(refreshGrants).as("not due again until half of its new life has passed").hasValue(1);
        clock.advance(Duration.ofMinutes(5));
        refresher(replicaB).refreshDue();
        assertThat(refreshGrants).hasValue(2);
        assertThat(lastRefreshToken).hasValue("rt-1");
    }

    @Test
    void refusedRefresh_breaksTheConnection_auditedOnce_neverRetried() throws Exception {
        connect("at-0", "rt-0", Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(6));
        mode.set("refuse");

        List<SubscriptionRefresher.RefreshReport> reports = concurrently(refresher(replicaA), refresher(replicaB));

        assertThat(reports.stream().mapToInt(SubscriptionRefresher.RefreshReport::broken).sum()).isEqualTo(1);
        Connection broken = connections.find(OWNER, "llm").orElseThrow();
        assertThat(broken.status()).isEqualTo(Connection.Status.BROKEN);
        assertThat(broken.lastError()).contains("The provider refused: invalid_grant. Connect the subscription again.");
        clock.advance(Duration.ofMinutes(10));
        refresher(replicaA).refreshDue();
        assertThat(refreshGrants).hasValue(1);
        List<String> audited = replicaA.jdbi().withHandle(handle -> handle.createQuery(
                "SELECT outcome FROM audit_events WHERE action = 'byos.refresh_failed'").mapTo(String.class).list());
        assertThat(audited).containsExactly("refused");
    }

    @Test
    void unavailableProvider_isRetried_withTheReasonShownMeanwhile() {
        connect("at-0", "rt-0", Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(6));
        mode.set("unavailable");

        SubscriptionRefresher.RefreshReport report = refresher(replicaA).refreshDue();

        assertThat(report.retrying()).isEqualTo(1);
        Connection waiting = connections.find(OWNER, "llm").orElseThrow();
        assertThat(waiting.status()).isEqualTo(Connection.Status.CONNECTED);
        assertThat(waiting.lastError()).contains("The provider answered temporarily_unavailable (HTTP 503). Retrying.");
        mode.set("ok");
        assertThat(refresher(replicaB).refreshDue().refreshed()).isEqualTo(1);
        assertThat(connections.find(OWNER, "llm").orElseThrow().lastError()).isEmpty();
    }

    @Test
    void errorsOtherThanInvalidGrant_areRetried_notBreakingTheConnection() {
        connect("at-0", "rt-0", Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(6));

        mode.set("client");
        assertThat(refresher(replicaA).refreshDue().retrying()).isEqualTo(1);
        assertThat(connections.find(OWNER, "llm").orElseThrow().lastError())
                .contains("The provider answered invalid_client (HTTP 401). Retrying.");
        mode.set("limited");
        assertThat(refresher(replicaA).refreshDue().retrying()).isEqualTo(1);

        Connection waiting = connections.find(OWNER, "llm").orElseThrow();
        assertThat(waiting.status()).isEqualTo(Connection.Status.CONNECTED);
        assertThat(waiting.lastError()).contains("The provider answered slow_down (HTTP 429). Retrying.");
    }

    @Test
    void concurrentConnections_eachReplaceTheOneBefore() throws Exception {
        int writers = 8;
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Optional<Connection>>> replaced = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            String key = "key-" + i;
            Database database = i % 2 == 0 ? replicaA : replicaB;
            ByosConnections replica = new ByosConnections(database, vault);
            replaced.add(CompletableFuture.supplyAsync(() -> {
                await(go);
                return replica.replace(OWNER, "llm", Connection.Kind.KEY, key, Optional.empty(), Optional.empty(),
                        List.of(), clock.instant(), handle -> { });
            }));
        }
        go.countDown();

        List<Optional<Connection>> previous = new ArrayList<>();
        for (CompletableFuture<Optional<Connection>> each : replaced) {
            previous.add(each.get());
        }
        assertThat(previous).filteredOn(Optional::isEmpty).hasSize(1);
        List<Long> versions = previous.stream().flatMap(Optional::stream).map(Connection::version).toList();
        assertThat(versions).hasSize(writers - 1).doesNotHaveDuplicates();
        assertThat(versions).doesNotContain(connections.find(OWNER, "llm").orElseThrow().version());
    }

    @Test
    void unreachableProvider_isRetried() throws Exception {
        connect("at-0", "rt-0", Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(6));
        tokenEndpoint.close().await();

        SubscriptionRefresher.RefreshReport report = refresher(replicaA).refreshDue();

        assertThat(report.retrying()).isEqualTo(1);
        assertThat(connections.find(OWNER, "llm").orElseThrow().lastError())
                .contains("The provider could not be reached. Retrying.");
    }

    private void connect(String accessToken, String refreshToken, Duration lifetime) {
        connections.replace(OWNER, "llm", Connection.Kind.OAUTH, accessToken, Optional.of(refreshToken),
                Optional.of(clock.instant().plus(lifetime)), List.of("inference"), clock.instant(), handle -> { });
    }

    private SubscriptionRefresher refresher(Database database) {
        ProviderClients clients = ProviderClients.open(config, name -> null, clock);
        return new SubscriptionRefresher(config, clients, new ByosConnections(database, vault), database,
                new JdbcAuditLog(database), clock);
    }

    private static List<SubscriptionRefresher.RefreshReport> concurrently(SubscriptionRefresher a,
            SubscriptionRefresher b) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<SubscriptionRefresher.RefreshReport> first = CompletableFuture.supplyAsync(() -> {
            await(go);
            return a.refreshDue();
        });
        CompletableFuture<SubscriptionRefresher.RefreshReport> second = CompletableFuture.supplyAsync(() -> {
            await(go);
            return b.refreshDue();
        });
        go.countDown();
        return List.of(first.get(), second.get());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
