package dev.gatehouse.server.pat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.server.audit.AuditEvent.Actor;
import dev.gatehouse.server.audit.AuditEvent.Outcome;
import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditQuery;
import dev.gatehouse.server.audit.JdbcAuditLog;
import dev.gatehouse.server.pat.PersonalAccessTokens.IssuedPat;
import dev.gatehouse.server.pat.PersonalAccessTokens.RevokeResult;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.store.GroupCommitter;
import dev.gatehouse.server.store.GroupCommitters;
import dev.gatehouse.server.store.TestDatabases.TestStore;
import dev.gatehouse.server.store.TestDatabases;
import dev.gatehouse.server.tokens.MintedToken;
import dev.gatehouse.server.tokens.Revocations;
import dev.gatehouse.server.tokens.RevokedTokens;
import dev.gatehouse.server.tokens.TokenMinter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The store side of personal access tokens and the audit log, on SQLite and the real PostgreSQL. */
class PatStoreTest {
    @TempDir
    Path dir;

    private TestStore store;
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private final Clock clock = Clock.fixed(now, ZoneOffset.UTC);

    private final List<GroupCommitter> committers = new ArrayList<>();

    @AfterEach
    void drop() throws Exception {
        committers.forEach(GroupCommitter::close);
        if (store != null) {
            store.close();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void lastUses_areWrittenInOneBatchPerFlush_oneRowPerUsedToken_neverPerRequest(TestDatabases.Kind kind) {
        Database database = open(kind);
        Instant expiresAt = now.plus(Duration.ofDays(1));
        List<String> ids = List.of(insert(database, expiresAt), insert(database, expiresAt), insert(database, expiresAt));
        insert(database, expiresAt);
        List<String> executed = new ArrayList<>();
        database.jdbi().setSqlLogger(new SqlLogger() {
            @Override
            public void logAfterExecution(StatementContext context) {
                executed.add(context.getRenderedSql());
            }
        });
        LastUsedTracker tracker = new LastUsedTracker(database, clock);
        var check = tracker.recordingUse(claims -> false);

        for (int i = 0; i < 100; i++) {
            for (String id : ids) {
                assertThat(check.isRevoked(pat(id))).isFalse();
            }
        }
        assertThat(executed).as("no statement per verification").isEmpty();
        assertThat(tracker.pending(ids.getFirst())).contains(now);

        assertThat(tracker.flush()).isEqualTo(3);
        assertThat(executed).as("one batched UPDATE").singleElement().asString().contains("UPDATE personal_access_tokens");
        assertThat(tracker.flush()).as("nothing new to write").isZero();
        assertThat(executed).hasSize(1);
        for (String id : ids) {
            assertThat(lastUsedAt(database, id)).isEqualTo(now.toEpochMilli());
        }

        tracker.record(ids.getFirst(), now.minusSeconds(60));
        tracker.flush();
        assertThat(lastUsedAt(database, ids.getFirst())).as("never moves backwards").isEqualTo(now.toEpochMilli());
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void revokedTokens_loadAtStart_thenSeeRevocationsOfAnotherReplica_andForgetExpiredOnes(TestDatabases.Kind kind) {
        Database replicaA = open(kind);
        Database replicaB = store.open();
        Instant expiresAt = now.plus(Duration.ofDays(1));
        String revokedBefore = insert(replicaA, expiresAt);
        String revokedExpired = insert(replicaA, now.minus(Duration.ofDays(1)));
        String revokedLater = insert(replicaA, expiresAt);
        String active = insert(replicaA, expiresAt);
        revoke(replicaA, revokedBefore);
        revoke(replicaA, revokedExpired);

        RevokedTokens onB = RevokedTokens.load(replicaB, Clock.systemUTC());

        assertThat(onB.isRevoked(pat(revokedBefore))).isTrue();
        assertThat(onB.isRevoked(pat(revokedExpired))).as("long expired: not kept").isFalse();
        assertThat(onB.isRevoked(pat(revokedLater))).isFalse();
        revoke(replicaA, revokedLater);
        onB.refresh();
        assertThat(onB.isRevoked(pat(revokedLater))).isTrue();
        assertThat(onB.isRevoked(pat(active))).isFalse();
        assertThat(onB.isFresherThan(Duration.ofSeconds(5))).isTrue();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void revokedTokens_revocationByAReplicaWhoseClockIsHoursBehind_isSeenOnTheNextPoll(TestDatabases.Kind kind) {
        Database replicaA = open(kind);
        Database replicaB = store.open();
        String early = insert(replicaA, now.plus(Duration.ofDays(1)));
        String late = insert(replicaA, now.plus(Duration.ofDays(1)));
        RevokedTokens onB = RevokedTokens.load(replicaB, Clock.systemUTC());
        onB.refresh();

        Instant slowClock = Instant.now().minus(Duration.ofHours(3));
        replicaA.jdbi().useTransaction(handle -> PatStore.revoke(handle, early, slowClock, "alice"));
        onB.refresh();
        replicaA.jdbi().useTransaction(handle -> PatStore.revoke(handle, late, slowClock.plusSeconds(1), "alice"));
        onB.refresh();

        assertThat(onB.isRevoked(pat(early))).as("revoked_at hours before B's previous poll").isTrue();
        assertThat(onB.isRevoked(pat(late))).isTrue();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void revokedTokens_reloadInFull_everyFullReloadEveryPolls(TestDatabases.Kind kind) {
        Database database = open(kind);
        String id = insert(database, now.plus(Duration.ofDays(1)));
        RevokedTokens revoked = RevokedTokens.load(database, Clock.systemUTC());
        // A revocation that bypassed the numbered log (e.g. written by hand in the database).
        database.jdbi().useHandle(handle -> handle.execute(
                "UPDATE personal_access_tokens SET revoked_at = 1, revoked_by = 'dba' WHERE id = ?", id));

        for (int i = 1; i < RevokedTokens.FULL_RELOAD_EVERY; i++) {
            revoked.refresh();
        }
        assertThat(revoked.isRevoked(pat(id))).as("incremental polls read the numbered log only").isFalse();
        revoked.refresh();
        assertThat(revoked.isRevoked(pat(id))).isTrue();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void revocationLog_pruning_deletesRevocationsOfTokensExpiredADayAgo_andAReplicaYetToPollGetsTheRest(
            TestDatabases.Kind kind) {
        Database replicaA = open(kind);
        Database replicaB = store.open();
        RevokedTokens onB = RevokedTokens.load(replicaB, Clock.systemUTC());
        String live = insert(replicaA, now.plus(Duration.ofDays(1)));
        String expiredAnHourAgo = insert(replicaA, now.minus(Duration.ofHours(1)));
        String expiredADayAgo = insert(replicaA, now.minus(RevokedTokens.LOG_RETENTION).minusSeconds(1));
        revoke(replicaA, live);
        revoke(replicaA, expiredAnHourAgo);
        revoke(replicaA, expiredADayAgo);

        RevokedTokens.load(replicaA, clock).pruneLog();

        assertThat(loggedRevocations(replicaA)).containsExactly(live, expiredAnHourAgo);
        onB.refresh();
        assertThat(onB.isRevoked(pat(live))).isTrue();
        String later = insert(replicaA, now.plus(Duration.ofDays(1)));
        revoke(replicaA, later);
        assertThat(replicaA.jdbi().withHandle(Revocations::lastRevocation)).as("numbers never reused").isEqualTo(4);
        onB.refresh();
        assertThat(onB.isRevoked(pat(later))).isTrue();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void revocationLog_prunedWhileAReplicaRevokesAndAnotherPolls_thePollerSeesEveryLiveRevocation(
            TestDatabases.Kind kind) throws Exception {
        Database revoking = open(kind);
        RevokedTokens polling = RevokedTokens.load(store.open(), Clock.systemUTC());
        RevokedTokens pruning = RevokedTokens.load(store.open(), clock);
        List<String> live = new ArrayList<>();
        List<String> toRevoke = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            boolean expired = i % 2 == 1;
            String id = insert(revoking, expired ? now.minus(Duration.ofDays(2)) : now.plus(Duration.ofDays(1)));
            toRevoke.add(id);
            if (!expired) {
                live.add(id);
            }
        }
        Semaphore revoked = new Semaphore(0);
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            Future<?> revocations = threads.submit(() -> toRevoke.forEach(id -> {
                revoke(revoking, id);
                revoked.release();
            }));
            // One poll after each revocation: fewer than FULL_RELOAD_EVERY, so every id comes from the log.
            Future<?> polls = threads.submit(() -> {
                for (int i = 0; i < toRevoke.size(); i++) {
                    revoked.acquire();
                    polling.refresh();
                }
                return null;
            });
            Future<Integer> prunes = threads.submit(() -> {
                // At least one run, even when this thread starts after the polls are done (a loaded machine).
                int runs = 0;
                do {
                    pruning.pruneLog();
                    runs++;
                } while (!polls.isDone());
                return runs;
            });
            revocations.get(60, TimeUnit.SECONDS);
            polls.get(60, TimeUnit.SECONDS);
            assertThat(prunes.get(60, TimeUnit.SECONDS)).isPositive();
        } finally {
            threads.shutdownNow();
        }

        assertThat(live).allSatisfy(id -> assertThat(polling.isRevoked(pat(id))).as(id).isTrue());
        pruning.pruneLog();
        assertThat(loggedRevocations(revoking)).containsExactlyInAnyOrderElementsOf(live);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void activeCap_holdsUnderConcurrentIssuesOnTwoReplicas_everyOtherIssueRefused409TooManyPats(
            TestDatabases.Kind kind) throws Exception {
        int cap = 3;
        int attempts = 16;
        Database first = open(kind);
        List<PersonalAccessTokens> replicas = List.of(patsWithCap(first, cap), patsWithCap(store.open(), cap));
        ExecutorService threads = Executors.newFixedThreadPool(attempts);
        try {
            for (int round = 0; round < 5; round++) {
                String user = "user-" + round;
                PatCaller caller = new PatCaller(user, "https://idp.test", Optional.of("acme"), Set.of(), false);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<String>> outcomes = new ArrayList<>();
                for (int i = 0; i < attempts; i++) {
                    PersonalAccessTokens replica = replicas.get(i % replicas.size());
                    outcomes.add(threads.submit(() -> {
                        start.await();
                        try {
                            GroupCommitter.await(replica.issue(caller,
                                    new NewPat("ci", Duration.ofDays(1), "gateway", Set.of(), List.of()), RequestOrigin.NONE));
                            return "issued";
                        } catch (PatRefusedException e) {
                            return e.status() + " " + e.code();
                        }
                    }));
                }
                start.countDown();
                List<String> results = new ArrayList<>();
                for (Future<String> outcome : outcomes) {
                    results.add(outcome.get(30, TimeUnit.SECONDS));
                }

                assertThat(results).as("round %d", round).filteredOn("issued"::equals).hasSize(cap);
                assertThat(results).as("round %d", round).filteredOn(result -> !result.equals("issued"))
                        .hasSize(attempts - cap).containsOnly("409 too_many_pats");
                assertThat(replicas.getFirst().list(caller)).hasSize(cap);
                assertThat(new JdbcAuditLog(first).find(query(null, null, AuditEvent.PAT_ISSUED, user, "acme")))
                        .as("refusals write nothing").hasSize(cap);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void activeCap_isExactWithinOneGroupCommit_theRefusedFailAlone_theOthersAndTheirAuditCommit(
            TestDatabases.Kind kind) throws Exception {
        int cap = 3;
        Database database = open(kind);
        GroupCommitter committer = committerOn(database);
        PersonalAccessTokens pats = patsWithCap(database, committer, cap);
        PatCaller alice = new PatCaller("alice", "https://idp.test", Optional.of("acme"), Set.of(), false);
        PatCaller bob = new PatCaller("bob", "https://idp.test", Optional.of("acme"), Set.of(), false);
        NewPat request = new NewPat("ci", Duration.ofDays(1), "gateway", Set.of(), List.of());
        GroupCommitter.await(pats.issue(alice, request, RequestOrigin.NONE));

        CountDownLatch release = GroupCommitters.holdWriters(committer);
        List<CompletableFuture<IssuedPat>> aliceIssues = new ArrayList<>();
        List<CompletableFuture<IssuedPat>> bobIssues = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            aliceIssues.add(pats.issue(alice, request, RequestOrigin.NONE));
            bobIssues.add(pats.issue(bob, request, RequestOrigin.NONE));
        }
        release.countDown();

        assertThat(outcomes(aliceIssues)).as("alice held one before").containsExactly("issued", "issued",
                "409 too_many_pats: You hold 3 active personal access tokens in organization acme (expected: at most 3;"
                        + " revoke unused ones, or let them expire).", "409 too_many_pats: You hold 3 active personal"
                        + " access tokens in organization acme (expected: at most 3; revoke unused ones, or let them expire).");
        assertThat(outcomes(bobIssues)).containsExactly("issued", "issued", "issued",
                "409 too_many_pats: You hold 3 active personal access tokens in organization acme (expected: at most 3;"
                        + " revoke unused ones, or let them expire).");
        assertThat(pats.list(alice)).hasSize(cap);
        assertThat(pats.list(bob)).hasSize(cap);
        JdbcAuditLog audit = new JdbcAuditLog(database);
        assertThat(audit.find(query(null, null, AuditEvent.PAT_ISSUED, "alice", "acme"))).hasSize(cap);
        assertThat(audit.find(query(null, null, AuditEvent.PAT_ISSUED, "bob", "acme")))
                .extracting(AuditEvent::target).containsExactlyInAnyOrderElementsOf(bobIssues.stream()
                        .filter(issue -> !issue.isCompletedExceptionally())
                        .map(issue -> Optional.of(issue.join().record().id())).toList());
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void activeCap_anOwnerWhoseBoundStaysWithinTheCap_isNotCounted_oneNearItIs_andRevokingMakesRoomAgain(
            TestDatabases.Kind kind) {
        int cap = 3;
        Database database = open(kind);
        PersonalAccessTokens pats = patsWithCap(database, cap);
        PatCaller alice = new PatCaller("alice", "https://idp.test", Optional.of("acme"), Set.of(), false);
        NewPat request = new NewPat("ci", Duration.ofDays(1), "gateway", Set.of(), List.of());
        List<String> counts = new CopyOnWriteArrayList<>();
        database.jdbi().setSqlLogger(new SqlLogger() {
            @Override
            public void logAfterExecution(StatementContext context) {
                if (context.getRenderedSql().contains("COUNT(*) AS active")) {
                    counts.add(context.getRenderedSql());
                }
            }
        });

        IssuedPat first = GroupCommitter.await(pats.issue(alice, request, RequestOrigin.NONE));
        assertThat(counts).as("a new lock row knows no bound: counted").hasSize(1);
        GroupCommitter.await(pats.issue(alice, request, RequestOrigin.NONE));
        GroupCommitter.await(pats.issue(alice, request, RequestOrigin.NONE));
        assertThat(counts).as("bounds 2 and 3 are within the cap: not counted").hasSize(1);
        assertThat(activeAtMost(database, "alice")).isEqualTo(3);

        assertThatThrownBy(() -> GroupCommitter.await(pats.issue(alice, request, RequestOrigin.NONE)))
                .isInstanceOf(PatRefusedException.class)
                .hasMessageStartingWith("You hold 3 active personal access tokens");
        assertThat(counts).as("a bound of 4 is above the cap: counted").hasSize(2);
        assertThat(activeAtMost(database, "alice")).as("reset to count + admitted").isEqualTo(3);

        assertThat(pats.revoke(alice, first.record().id(), "api", RequestOrigin.NONE)).isEqualTo(RevokeResult.REVOKED);
        GroupCommitter.await(pats.issue(alice, request, RequestOrigin.NONE));
        assertThat(counts).as("revocation left the bound at 3, so the next one counted and found room").hasSize(3);
        assertThat(pats.list(alice)).filteredOn(pat -> pat.revokedAt().isEmpty()).hasSize(cap);
        assertThat(activeAtMost(database, "alice")).isEqualTo(3);

        PersonalAccessTokens lowered = patsWithCap(database, 2);
        assertThatThrownBy(() -> GroupCommitter.await(lowered.issue(alice, request, RequestOrigin.NONE)))
                .isInstanceOf(PatRefusedException.class)
                .hasMessageStartingWith("You hold 3 active personal access tokens in organization acme (expected: at most 2;");
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void activeCap_tokensAnEarlierVersionIssuedSinceTheBoundWasKept_areCounted(TestDatabases.Kind kind) {
        int cap = 3;
        Database database = open(kind);
        PersonalAccessTokens pats = patsWithCap(database, cap);
        PatCaller alice = new PatCaller("alice", "https://idp.test", Optional.of("acme"), Set.of(), false);
        NewPat request = new NewPat("ci", Duration.ofDays(1), "gateway", Set.of(), List.of());
        GroupCommitter.await(pats.issue(alice, request, RequestOrigin.NONE));
        assertThat(activeAtMost(database, "alice")).isEqualTo(1);

        // What a replica of an earlier version does: inserts its tokens and moves last_issued_at only.
        insert(database, now.plus(Duration.ofDays(1)));
        insert(database, now.plus(Duration.ofDays(1)));
        database.jdbi().useHandle(handle -> handle.execute(
                "UPDATE pat_owner_locks SET last_issued_at = last_issued_at + 1 WHERE owner_subject = 'alice'"));

        assertThatThrownBy(() -> GroupCommitter.await(pats.issue(alice, request, RequestOrigin.NONE)))
                .as("the bound (1 + 1) is stale: counted, 3 held")
                .isInstanceOf(PatRefusedException.class)
                .hasMessageStartingWith("You hold 3 active personal access tokens");
        assertThat(activeAtMost(database, "alice")).isEqualTo(3);
    }

    private static int activeAtMost(Database database, String subject) {
        return database.jdbi().withHandle(handle -> handle
                .createQuery("SELECT active_at_most FROM pat_owner_locks WHERE owner_subject = :subject")
                .bind("subject", subject).mapTo(Integer.class).one());
    }

    private static List<String> outcomes(List<CompletableFuture<IssuedPat>> issues) {
        List<String> outcomes = new ArrayList<>();
        for (CompletableFuture<IssuedPat> issue : issues) {
            try {
                GroupCommitter.await(issue);
                outcomes.add("issued");
            } catch (PatRefusedException e) {
                outcomes.add(e.status() + " " + e.code() + ": " + e.getMessage());
            }
        }
        return outcomes;
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void auditLog_recordsAndFinds_newestFirst_withFilters(TestDatabases.Kind kind) {
        JdbcAuditLog audit = new JdbcAuditLog(open(kind));
        Actor alice = new Actor("alice", "https://idp.test");
        RequestOrigin origin = new RequestOrigin(Optional.of("10.0.0.1"), Optional.of("req-1"));
        AuditEvent issued = AuditEvent.of(now.minusSeconds(2), alice, Optional.of("acme"), AuditEvent.PAT_ISSUED,
                Optional.of("t1"), origin, Outcome.SUCCESS, Map.of("name", "ci", "capabilities", List.of("a")));
        AuditEvent revoked = AuditEvent.of(now.minusSeconds(1), Actor.ADMIN, Optional.of("acme"), AuditEvent.PAT_REVOKED,
                Optional.of("t1"), RequestOrigin.NONE, Outcome.SUCCESS, Map.of());
        AuditEvent refused = AuditEvent.of(now, alice, Optional.of("globex"), AuditEvent.PAT_REVOKE_REFUSED,
                Optional.of("t2"), origin, Outcome.REFUSED, Map.of("reason", "not_owner"));
        audit.record(issued);
        audit.record(revoked);
        audit.record(refused);

        assertThat(audit.find(AuditQuery.latest())).extracting(AuditEvent::id)
                .containsExactly(refused.id(), revoked.id(), issued.id());
        assertThat(audit.find(AuditQuery.latest()).getLast()).isEqualTo(issued);
        assertThat(audit.find(query(null, null, null, "alice", "acme"))).containsExactly(issued);
        assertThat(audit.find(query(now.minusSeconds(1), now, null, null, null))).containsExactly(revoked);
        assertThat(audit.find(query(null, null, AuditEvent.PAT_REVOKE_REFUSED, null, null))).containsExactly(refused);
    }

    private static AuditQuery query(Instant since, Instant until, String action, String actor, String organization) {
        return new AuditQuery(Optional.ofNullable(since), Optional.ofNullable(until), Optional.ofNullable(action),
                Optional.ofNullable(actor), Optional.ofNullable(organization), 10);
    }

    /**
     * Personal access tokens over {@code database} with a group committer of their own (as one
     * replica has), minted by a stand-in: the cap is the subject, not signing.
     */
    private PersonalAccessTokens patsWithCap(Database database, int cap) {
        return patsWithCap(database, committerOn(database), cap);
    }

    private PersonalAccessTokens patsWithCap(Database database, GroupCommitter committer, int cap) {
        TokenMinter minter = request -> new MintedToken("header.payload.signature", UUID.randomUUID().toString(),
                now, now.plus(request.ttl()), "kid");
        return new PersonalAccessTokens(database, committer, minter, new JdbcAuditLog(database), RevokedTokens.load(database, clock),
                new LastUsedTracker(database, clock), cap, clock);
    }

    private GroupCommitter committerOn(Database database) {
        GroupCommitter committer = GroupCommitter.start(database);
        committers.add(committer);
        return committer;
    }

    private Database open(TestDatabases.Kind kind) {
        store = kind.create(dir);
        return store.open();
    }

    private static String insert(Database database, Instant expiresAt) {
        String id = UUID.randomUUID().toString();
        PatRecord record = new PatRecord(id, "alice", "https://idp.test", "acme", "ci", "gateway", List.of("a"),
                expiresAt.minus(Duration.ofDays(7)), expiresAt, Optional.empty(),
                Optional.empty(), Optional.empty());
        database.jdbi().useTransaction(handle -> PatStore.insert(handle, record));
        return id;
    }

    private void revoke(Database database, String id) {
        database.jdbi().useTransaction(handle -> PatStore.revoke(handle, id, Instant.now(), "alice"));
    }

    /** The token ids in the store's revocation log, by number. */
    private static List<String> loggedRevocations(Database database) {
        return database.jdbi().withHandle(handle -> Revocations.revocationsAfter(handle, 0)).stream()
                .map(Revocations.Revocation::subject).toList();
    }

    private static long lastUsedAt(Database database, String id) {
        return database.jdbi().withHandle(handle -> handle
                .createQuery("SELECT last_used_at FROM personal_access_tokens WHERE id = :id")
                .bind("id", id).mapTo(Long.class).one());
    }

    private static Claims pat(String id) {
        try {
            return Claims.fromJwt(new JWTClaimsSet.Builder().issuer("https://gatehouse.test").subject("alice")
                    .claim("typ", "pat").jwtID(id).issueTime(new Date()).expirationTime(new Date()).build());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
