package dev.gatehouse.server.sandbox;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvent.Outcome;
import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.units.Quantities;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.tokens.MintedToken;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's periodic work, safe to run on every replica at once:
 * <ul>
 *   <li>{@link #reap()}: fails sandboxes pending longer than {@code sandbox.startTimeout}; stops deleted
 *       ones still live (a replica stopped mid-delete), those
 *       past {@code sandbox.maxLifetime} or idle (no proxied traffic and no gateway calls) for {@code
 *       sandbox.idleTimeout}; gives a new gateway token to those whose token expires within {@code
 *       sandbox.tokenRotateBefore}; gives BYOS sandboxes their subscription's refreshed credential, and
 *       stops those whose subscription was disconnected or broke;
 *   <li>{@link #collectOrphans()}: removes backend objects without a live record, fails running
 *       records whose objects are gone, finishes stops left half-done, forgets sandboxes ended more
 *       than {@link #RETENTION} ago.
 * </ul>
 * Each change is a conditional update of the record (a status change, or a short claim on the
 * token), so of several replicas exactly one stops, fails or rotates each sandbox. Every method
 * blocks. Thread-safe; each method must not run concurrently with itself on one replica.
 */
public final class SandboxLifecycle {
    /** How long ended sandboxes stay listed (stopped or failed, with their reasons) before they are forgotten. */
    public static final Duration RETENTION = Duration.ofDays(7);
    /** How long a replica may take to rotate one sandbox's token before another may try. */
    static final Duration ROTATION_CLAIM = Duration.ofMinutes(2);
    private static final Logger log = LoggerFactory.getLogger(SandboxLifecycle.class);

    private final SandboxConfig config;
    private final SandboxChannels channels;
    private final Database database;
    private final SandboxBackend backend;
    private final SandboxCredentials credentials;
    private final SandboxSubscriptions subscriptions;
    private final SandboxTeardown teardown;
    private final SandboxActivity activity;
    private final AuditLog audit;
    private final Clock clock;

    SandboxLifecycle(SandboxConfig config, SandboxChannels channels, Database database, SandboxBackend backend,
            SandboxCredentials credentials, SandboxSubscriptions subscriptions, SandboxTeardown teardown,
            SandboxActivity activity, AuditLog audit, Clock clock) {
        this.config = requireNonNull(config, "config");
        this.channels = requireNonNull(channels, "channels");
        this.database = requireNonNull(database, "database");
        this.backend = requireNonNull(backend, "backend");
        this.credentials = requireNonNull(credentials, "credentials");
        this.subscriptions = requireNonNull(subscriptions, "subscriptions");
        this.teardown = requireNonNull(teardown, "teardown");
        this.activity = requireNonNull(activity, "activity");
        this.audit = requireNonNull(audit, "audit");
        this.clock = requireNonNull(clock, "clock");
    }

    /** What one {@link #reap()} did, by this replica. */
    public record ReapReport(int failed, int stoppedIdle, int stoppedLifetime, int stoppedDeleted, int rotated,
            int subscriptionsFollowed, int stoppedSubscription) {}

    /** What one {@link #collectOrphans()} did, by this replica. */
    public record CollectionReport(int orphansRemoved, int recordsFailed, int stopsFinished, int forgotten) {}

    /** One pass over the live sandboxes: stuck, expired, idle, due for a new token. */
    public ReapReport reap() {
        activity.flush();
        int failed = 0;
        int idle = 0;
        int lifetime = 0;
        int deleted = 0;
        int rotated = 0;
        int followed = 0;
        int unsubscribed = 0;
        Instant now = clock.instant();
        for (Sandbox sandbox : database.jdbi().withHandle(handle -> SandboxStore.live(handle, backend.scope()))) {
            if (sandbox.deleted() && sandbox.status().counts()) {
                // Deleted by a replica that stopped before it could stop it.
                deleted += stop(sandbox, "Deleted.", "deleted");
                continue;
            }
            switch (sandbox.status()) {
                case PENDING -> failed += failIfStuck(sandbox, now);
                case RUNNING -> {
                    if (sandbox.createdAt().plus(config.maxLifetime()).isBefore(now)) {
                        lifetime += stop(sandbox, "Reached its maximum lifetime of "
                                + Quantities.formatDuration(config.maxLifetime()) + ".", "max_lifetime");
                    } else if (isIdle(sandbox, now)) {
                        idle += stop(sandbox, "Stopped after " + Quantities.formatDuration(config.idleTimeout())
                                + " without proxied traffic or gateway calls.", "idle");
                    } else if (sandbox.provider().isPresent()) {
                        switch (subscriptions.current(sandbox.provider().get(), sandbox.organization(),
                                sandbox.ownerSubject(), sandbox.ownerIssuer())) {
                            case SandboxSubscriptions.Usable usable -> followed += follow(sandbox, usable);
                            case SandboxSubscriptions.Unusable unusable ->
                                    unsubscribed += stop(sandbox, unusable.stopReason(), "subscription");
                        }
                    } else if (dueForRotation(sandbox, now)) {
                        rotated += rotate(sandbox);
                    }
                }
                default -> { }
            }
        }
        return new ReapReport(failed, idle, lifetime, deleted, rotated, followed, unsubscribed);
    }

    private int failIfStuck(Sandbox sandbox, Instant now) {
        if (!sandbox.createdAt().plus(config.startTimeout()).isBefore(now)) {
            return 0;
        }
        return teardown.fail(sandbox.id(), "The runtime did not become healthy within "
                + Quantities.formatDuration(config.startTimeout()) + ".", SandboxAudit.CONTROLLER, RequestOrigin.NONE)
                ? 1 : 0;
    }

    private int stop(Sandbox sandbox, String reason, String why) {
        return teardown.stop(sandbox.id(), reason, SandboxAudit.STOPPED, Map.of("why", why), SandboxAudit.CONTROLLER,
                RequestOrigin.NONE) ? 1 : 0;
    }

    /**
     * Idle when neither the record, nor this replica's unflushed proxy traffic or open connections,
     * nor the usage records (gateway calls) show activity within {@code sandbox.idleTimeout}.
     */
    private boolean isIdle(Sandbox sandbox, Instant now) {
        Instant cutoff = now.minus(config.idleTimeout());
        if (!sandbox.lastActiveAt().isBefore(cutoff) || activity.hasOpenConnections(sandbox.id())) {
            return false;
        }
        OptionalLong gatewayCall = database.jdbi().withHandle(handle ->
                SandboxStore.lastGatewayCall(handle, sandbox.id(), sandbox.organization(), sandbox.lastActiveAt()));
        if (gatewayCall.isPresent() && gatewayCall.getAsLong() >= cutoff.toEpochMilli()) {
            database.jdbi().useHandle(handle -> SandboxStore.recordActivity(handle,
                    Map.of(sandbox.id(), gatewayCall.getAsLong())));
            return false;
        }
        return true;
    }

    private boolean dueForRotation(Sandbox sandbox, Instant now) {
        return sandbox.tokenExpiresAt().map(expiry -> expiry.minus(config.tokenRotateBefore()).isBefore(now))
                .orElse(false);
    }

    /**
     * Mints a new token and hands it to the runtime. The previous token stays valid until it expires
     * (at most {@code sandbox.tokenRotateBefore} later), so a runtime that reads it late loses nothing.
     */
    private int rotate(Sandbox sandbox) {
        Instant expiry = sandbox.tokenExpiresAt().orElseThrow();
        // The time of this claim, not of the pass: earlier work of the pass may have taken long.
        Instant claimedAt = clock.instant();
        Instant claim = claimedAt.plus(ROTATION_CLAIM);
        if (!database.jdbi().withHandle(handle -> SandboxStore.claimRotation(handle, sandbox.id(), expiry, claimedAt,
                claim))) {
            return 0;
        }
        Optional<SandboxProfile> profile = config.profile(sandbox.profile());
        if (profile.isEmpty()) {
            return stop(sandbox, "Its profile " + sandbox.profile() + " is no longer configured, so its token could"
                    + " not be renewed.", "profile_removed");
        }
        try {
            List<String> names = channels.forSandbox(profile.get(), sandbox.organization());
            MintedToken token = credentials.issue(sandbox.id(), sandbox.organization(), sandbox.ownerSubject(), names,
                    SandboxAudit.CONTROLLER, RequestOrigin.NONE);
            backend.replaceToken(new SandboxSpec(sandbox.id(), sandbox.organization(), sandbox.ownerSubject(),
                    profile.get(), config.gatewayUrl(), token.token(), sandbox.model()));
            if (!database.jdbi().withHandle(handle -> SandboxStore.setRotatedToken(handle, sandbox.id(),
                    token.tokenId(), token.expiresAt(), claim))) {
                // Stopped or deleted while rotating: whatever revoked its tokens did not see this one.
                teardown.remove(sandbox.id(), SandboxAudit.CONTROLLER, RequestOrigin.NONE);
                return 0;
            }
            log.atInfo().addKeyValue("sandbox", sandbox.id()).addKeyValue("jti", token.tokenId())
                    .addKeyValue("expiresAt", token.expiresAt()).log("sandbox token rotated");
            return 1;
        } catch (RuntimeException e) {
            database.jdbi().useHandle(handle -> SandboxStore.releaseClaim(handle, sandbox.id(), claim));
            log.atWarn().setCause(e).addKeyValue("sandbox", sandbox.id())
                    .log("rotating the sandbox token failed; retrying at the next pass");
            return 0;
        }
    }

    /**
     * Gives a BYOS sandbox its subscription's current credential, if it holds another version: the
     * runtime re-reads its credential file, or is restarted ({@link SandboxProfile#tokenDelivery()}).
     */
    private int follow(Sandbox sandbox, SandboxSubscriptions.Usable usable) {
        if (sandbox.credentialVersion().equals(Optional.of(usable.version()))) {
            return 0;
        }
        Instant claimedAt = clock.instant();
        Instant claim = claimedAt.plus(ROTATION_CLAIM);
        if (!database.jdbi().withHandle(handle -> SandboxStore.claimCredential(handle, sandbox.id(), usable.version(),
                claimedAt, claim))) {
            return 0;
        }
        Optional<SandboxProfile> profile = config.profile(sandbox.profile());
        if (profile.isEmpty()) {
            return stop(sandbox, "Its profile " + sandbox.profile() + " is no longer configured, so its subscription's"
                    + " credential could not be renewed.", "profile_removed");
        }
        try {
            backend.replaceToken(new SandboxSpec(sandbox.id(), sandbox.organization(), sandbox.ownerSubject(),
                    profile.get(), usable.access(), sandbox.model()));
            if (!database.jdbi().withHandle(handle -> SandboxStore.setCredentialVersion(handle, sandbox.id(),
                    usable.version(), claim))) {
                return 0; // stopped or deleted meanwhile: its teardown removes what runs
            }
            log.atInfo().addKeyValue("sandbox", sandbox.id()).addKeyValue("provider", usable.access().provider())
                    .addKeyValue("version", usable.version()).log("sandbox given its subscription's new credential");
            return 1;
        } catch (RuntimeException e) {
            database.jdbi().useHandle(handle -> SandboxStore.releaseClaim(handle, sandbox.id(), claim));
            log.atWarn().setCause(e).addKeyValue("sandbox", sandbox.id())
                    .log("giving a sandbox its subscription's new credential failed; retrying at the next pass");
            return 0;
        }
    }

    /**
     * Orphans both ways. The backend is listed before the records are read: a sandbox's record is
     * written before its objects are created, so every object listed belongs to a record read after.
     */
    public CollectionReport collectOrphans() {
        Instant listed = clock.instant();
        Set<String> held = backend.list();
        List<Sandbox> live = database.jdbi().withHandle(handle -> SandboxStore.live(handle, backend.scope()));
        Set<String> liveIds = new HashSet<>();
        live.forEach(sandbox -> liveIds.add(sandbox.id()));
        int orphans = 0;
        for (String id : held) {
            if (!liveIds.contains(id)) {
                orphans += removeOrphan(id);
            }
        }
        int recordsFailed = 0;
        int stopsFinished = 0;
        for (Sandbox sandbox : live) {
            // Running since before the listing, yet not listed: a record whose runtime became running
            // between the listing and the read of the records is left for the next pass.
            boolean runningWhenListed = sandbox.runningAt().map(at -> at.isBefore(listed)).orElse(false);
            if (sandbox.status() == SandboxStatus.RUNNING && runningWhenListed && !held.contains(sandbox.id())) {
                recordsFailed += teardown.fail(sandbox.id(), "Its runtime is gone (removed outside Gatehouse, or lost"
                        + " when Gatehouse restarted).", SandboxAudit.CONTROLLER, RequestOrigin.NONE) ? 1 : 0;
            } else if (sandbox.status() == SandboxStatus.STOPPING) {
                teardown.finish(sandbox.id(), SandboxAudit.CONTROLLER, RequestOrigin.NONE);
                stopsFinished++;
            }
        }
        int forgotten = database.jdbi().withHandle(handle ->
                SandboxStore.purgeEndedBefore(handle, clock.instant().minus(RETENTION)));
        if (orphans + recordsFailed + forgotten > 0) {
            log.atInfo().addKeyValue("orphansRemoved", orphans).addKeyValue("recordsFailed", recordsFailed)
                    .addKeyValue("forgotten", forgotten).log("sandbox orphan collection");
        }
        return new CollectionReport(orphans, recordsFailed, stopsFinished, forgotten);
    }

    private int removeOrphan(String id) {
        if (!teardown.remove(id, SandboxAudit.CONTROLLER, RequestOrigin.NONE)) {
            return 0;
        }
        audit.record(AuditEvent.of(clock.instant(), SandboxAudit.CONTROLLER, Optional.empty(),
                SandboxAudit.ORPHAN_COLLECTED, Optional.of(id), RequestOrigin.NONE, Outcome.SUCCESS,
                Map.of("backend", backend.kind())));
        return 1;
    }
}
