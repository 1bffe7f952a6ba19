package dev.gatehouse.server.gateway.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvent.Actor;
import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import dev.gatehouse.server.audit.AuditQuery;
import dev.gatehouse.server.audit.JdbcAuditLog;
import dev.gatehouse.server.tokens.RevokedTokens;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.store.GroupCommitter;
import dev.gatehouse.server.store.GroupCommitters;
import dev.gatehouse.server.store.TestDatabases;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import dev.gatehouse.server.tokens.MintedToken;
import dev.gatehouse.server.tokens.TokenMinter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Sandbox token records through the group committer, on SQLite and the real PostgreSQL. */
class SandboxTokensTest {
    private static final Actor ADMIN = new Actor("admin", "gatehouse");

    @TempDir
    Path dir;

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final Clock clock = Clock.fixed(now, ZoneOffset.UTC);
    private TestStore store;
    private GroupCommitter committer;

    @AfterEach
    void close() throws Exception {
        if (committer != null) {
            committer.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void aTokenWhoseRowCannotBeWritten_failsAlone_theRestOfItsBatchIsRecordedAndAudited(TestDatabases.Kind kind)
            throws Exception {
        store = kind.create(dir);
        Database database = store.open();
        committer = GroupCommitter.start(database);
        // The stand-in minter repeats the jti of the second token for the fourth: its row collides.
        AtomicInteger minted = new AtomicInteger();
        TokenMinter minter = request -> {
            int n = minted.incrementAndGet();
            return new MintedToken("header.payload.signature-" + n, "jti-" + (n == 4 ? 2 : n), now,
                    now.plus(request.ttl()), "kid");
        };
        JdbcAuditLog audit = new JdbcAuditLog(database);
        SandboxTokens tokens = new SandboxTokens(database, committer, minter, Duration.ofDays(30), audit,
                RevokedTokens.load(database, clock), false, clock);

        CountDownLatch release = GroupCommitters.holdWriters(committer);
        List<CompletableFuture<MintedToken>> issues = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            issues.add(tokens.issue(new SandboxTokenRequest("acme", "alice", "sb-" + i, List.of("a")), ADMIN,
                    RequestOrigin.NONE));
        }
        release.countDown();

        for (int i : new int[] {0, 1, 2, 4, 5}) {
            assertThat(issues.get(i).get(10, TimeUnit.SECONDS).tokenId()).isEqualTo("jti-" + (i + 1));
        }
        assertThatThrownBy(() -> issues.get(3).get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().hasMessageContaining("sandbox_tokens");
        List<String> recorded = database.jdbi().withHandle(h -> h.createQuery(
                "SELECT sandbox_id FROM sandbox_tokens ORDER BY jti").mapTo(String.class).list());
        assertThat(recorded).containsExactly("sb-1", "sb-2", "sb-3", "sb-5", "sb-6");
        assertThat(audit.find(new AuditQuery(Optional.empty(), Optional.empty(), Optional.of(SandboxTokens.ISSUED),
                Optional.empty(), Optional.empty(), 100)))
                .extracting(AuditEvent::target)
                .containsExactlyInAnyOrder(Optional.of("jti-1"), Optional.of("jti-2"), Optional.of("jti-3"),
                        Optional.of("jti-5"), Optional.of("jti-6"));
    }
}
