package dev.gatehouse.server.pat;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.GatehouseTokenVerifier;
import dev.gatehouse.server.audit.AuditEvent.Outcome;
import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.store.GroupCommitter;
import dev.gatehouse.server.store.StoreBusyException;
import dev.gatehouse.server.tokens.MintRequest;
import dev.gatehouse.server.tokens.MintedToken;
import dev.gatehouse.server.tokens.RevokedTokens;
import dev.gatehouse.server.tokens.TokenMinter;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Issues, lists and revokes personal access tokens: JWTs with {@code typ=pat}, the creator's
 * {@code sub} and {@code org_id}, one {@code aud} and a subset of the creator's capabilities. The
 * store keeps each token's description under its {@code jti}, never its value. Every issuance,
 * revocation and refused revocation is written to the {@link AuditLog} in the same transaction.
 *
 * <p>Thread-safe. {@link #issue} signs on the calling thread and never blocks on the store (its
 * record is written by a {@link GroupCommitter}); the other methods block on the store: call them
 * off the event loop.
 */
public final class PersonalAccessTokens {
    private final Database database;
    private final GroupCommitter committer;
    private final PatIssuances issuances;
    private final TokenMinter minter;
    private final AuditLog audit;
    private final RevokedTokens revoked;
    private final LastUsedTracker lastUsed;
    private final Clock clock;
    private final UnknownIdRefusals unknownIdRefusals;

    /**
     * @param committer records issued tokens (on {@code database})
     * @param maxActivePerUser how many active tokens one user may hold in one organization
     */
    public PersonalAccessTokens(Database database, GroupCommitter committer, TokenMinter minter, AuditLog audit,
            RevokedTokens revoked, LastUsedTracker lastUsed, int maxActivePerUser, Clock clock) {
        this.database = requireNonNull(database, "database");
        this.committer = requireNonNull(committer, "committer");
        this.minter = requireNonNull(minter, "minter");
        this.audit = requireNonNull(audit, "audit");
        this.revoked = requireNonNull(revoked, "revoked");
        this.lastUsed = requireNonNull(lastUsed, "lastUsed");
        this.clock = requireNonNull(clock, "clock");
        if (maxActivePerUser < 1) {
            throw new IllegalArgumentException("maxActivePerUser: " + maxActivePerUser + " (expected: > 0)");
        }
        this.issuances = new PatIssuances(audit, maxActivePerUser);
        this.unknownIdRefusals = new UnknownIdRefusals(clock);
    }

    /**
     * Mints a token for {@code caller} (signing on the calling thread: no I/O) and queues its record
     * and audit event for the store's next group commit. The future completes only once both are
     * committed; the token must not be handed out before.
     *
     * <p>The future fails with {@link PatRefusedException} if the caller has no organization, lacks
     * a requested capability, the token would be longer than verifiers accept, or already holds
     * {@code maxActivePerUser} active tokens in that organization (409 {@code too_many_pats}); with
     * {@link StoreBusyException} if the store's queue is full or this replica is shutting down; or
     * with the store's error. Nothing is written in any of these cases. The cap holds however many
     * issuances for one owner run at once, on any number of replicas: each commit takes the owners'
     * lock rows before counting.
     */
    public CompletableFuture<IssuedPat> issue(PatCaller caller, NewPat request, RequestOrigin origin) {
        requireNonNull(caller, "caller");
        requireNonNull(request, "request");
        requireNonNull(origin, "origin");
        if (caller.organization().isEmpty()) {
            return CompletableFuture.failedFuture(new PatRefusedException("organization_required",
                    "Your session names no organization; a personal access token is scoped to one."));
        }
        String organization = caller.organization().get();
        TreeSet<String> missing = new TreeSet<>(request.capabilities());
        missing.removeAll(caller.capabilities());
        if (!missing.isEmpty()) {
            return CompletableFuture.failedFuture(new PatRefusedException("capabilities_not_held", "capabilities: "
                    + missing + " not held by your session (expected: a subset of "
                    + new TreeSet<>(caller.capabilities()) + ")"));
        }
        List<String> capabilities = request.capabilities().stream().sorted().toList();
        Map<String, Object> claims = new LinkedHashMap<>(Map.of("org_id", organization, "capabilities", capabilities));
        if (!request.allowedModels().isEmpty()) {
            claims.put("allowed_models", request.allowedModels());
        }
        MintedToken minted = minter.mint(new MintRequest(TokenType.PAT, caller.subject(), List.of(request.audience()),
                request.ttl(), claims));
        if (minted.token().length() > GatehouseTokenVerifier.DEFAULT_MAX_TOKEN_LENGTH) {
            // Verifiers refuse longer tokens unread: such a PAT could neither be used nor revoked by value.
            return CompletableFuture.failedFuture(new PatRefusedException(400, "token_too_large", "token: "
                    + minted.token().length() + " characters (expected: at most "
                    + GatehouseTokenVerifier.DEFAULT_MAX_TOKEN_LENGTH
                    + ", the verifiers' limit; ask for fewer or shorter capabilities)"));
        }
        PatRecord record = new PatRecord(minted.tokenId(), caller.subject(), caller.issuer(), organization,
                request.name(), request.audience(), capabilities, minted.issuedAt(), minted.expiresAt(),
                Optional.empty(), Optional.empty(), Optional.empty());
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("name", record.name());
        detail.put("audience", record.audience());
        detail.put("capabilities", capabilities);
        if (!request.allowedModels().isEmpty()) {
            detail.put("allowed_models", request.allowedModels());
        }
        detail.put("expires_at", record.expiresAt().toString());
        AuditEvent event = AuditEvent.of(clock.instant(), caller.actor(), Optional.of(organization),
                AuditEvent.PAT_ISSUED, Optional.of(record.id()), origin, Outcome.SUCCESS, detail);
        return committer.submit(issuances, new PatIssuances.Issuance(new IssuedPat(record, minted.token()), event));
    }

    /**
     * The caller's own tokens (same subject, issuer and organization), newest first, with the last
     * use as known to this replica (recorded here but not yet flushed, or as stored).
     */
    public List<PatRecord> list(PatCaller caller) {
        requireNonNull(caller, "caller");
        if (caller.organization().isEmpty()) {
            return List.of();
        }
        List<PatRecord> stored = database.jdbi().withHandle(handle -> PatStore.listOwnedBy(handle, caller.subject(),
                caller.issuer(), caller.organization().get()));
        List<PatRecord> merged = new ArrayList<>(stored.size());
        for (PatRecord record : stored) {
            merged.add(withPendingUse(record));
        }
        return merged;
    }

    /**
     * Revokes token {@code id} if the caller owns it or is the admin. A refusal is audited as
     * {@value AuditEvent#PAT_REVOKE_REFUSED}; so is an id that does not exist, but at most once per
     * caller per minute on this replica (the next such row counts the ones left out in
     * {@code detail.unaudited_since_previous}), so guessing ids cannot flood the audit log.
     * Revoking a revoked token changes nothing.
     *
     * @param via how the request came, for the audit entry ({@code api}, {@code oauth_revoke})
     */
    public RevokeResult revoke(PatCaller caller, String id, String via, RequestOrigin origin) {
        requireNonNull(caller, "caller");
        requireNonNull(id, "id");
        requireNonNull(via, "via");
        requireNonNull(origin, "origin");
        Instant now = clock.instant();
        Revocation revocation = database.jdbi().inTransaction(handle -> {
            Optional<PatRecord> found = PatStore.find(handle, id);
            if (found.isEmpty() || !(caller.admin() || found.get().isOwnedBy(caller))) {
                RevokeResult refusal = found.isEmpty() ? RevokeResult.NO_SUCH_TOKEN : RevokeResult.NOT_OWNER;
                long suppressedBefore = 0;
                if (refusal == RevokeResult.NO_SUCH_TOKEN) {
                    OptionalLong due = unknownIdRefusals.due(caller.actor());
                    if (due.isEmpty()) {
                        return new Revocation(refusal, null);
                    }
                    suppressedBefore = due.getAsLong();
                }
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("via", via);
                detail.put("reason", refusal.reason());
                if (suppressedBefore > 0) {
                    detail.put("unaudited_since_previous", suppressedBefore);
                }
                caller.organization().ifPresent(org -> detail.put("caller_organization", org));
                audit.record(handle, AuditEvent.of(now, caller.actor(),
                        found.map(PatRecord::organization).or(caller::organization), AuditEvent.PAT_REVOKE_REFUSED,
                        Optional.of(id), origin, Outcome.REFUSED, detail));
                return new Revocation(refusal, null);
            }
            PatRecord record = found.get();
            if (!PatStore.revoke(handle, id, now, caller.subject())) {
                return new Revocation(RevokeResult.ALREADY_REVOKED, record.expiresAt());
            }
            audit.record(handle, AuditEvent.of(now, caller.actor(), Optional.of(record.organization()),
                    AuditEvent.PAT_REVOKED, Optional.of(id), origin, Outcome.SUCCESS,
                    Map.of("via", via, "owner_subject", record.ownerSubject())));
            return new Revocation(RevokeResult.REVOKED, record.expiresAt());
        });
        if (revocation.expiresAt() != null) {
            // Effective here at once; other replicas see it at their next poll.
            revoked.add(id, revocation.expiresAt());
        }
        return revocation.result();
    }

    private record Revocation(RevokeResult result, Instant expiresAt) {}

    private PatRecord withPendingUse(PatRecord record) {
        Optional<Instant> pending = lastUsed.pending(record.id());
        if (pending.isEmpty() || record.lastUsedAt().filter(stored -> !stored.isBefore(pending.get())).isPresent()) {
            return record;
        }
        return new PatRecord(record.id(), record.ownerSubject(), record.ownerIssuer(), record.organization(),
                record.name(), record.audience(), record.capabilities(), record.createdAt(), record.expiresAt(),
                record.revokedAt(), record.revokedBy(), pending);
    }

    /**
     * A freshly issued token: its description and its value, shown to the caller once.
     *
     * @param record what is stored
     * @param token the compact JWS; a credential: never log it
     */
    public record IssuedPat(PatRecord record, String token) {
        public IssuedPat {
            requireNonNull(record, "record");
            requireNonNull(token, "token");
        }

        @Override
        public String toString() {
            return "IssuedPat[" + record + ", token=redacted]";
        }
    }

    /** How a revocation request ended. */
    public enum RevokeResult {
        REVOKED,
        ALREADY_REVOKED,
        NO_SUCH_TOKEN,
        NOT_OWNER;

        String reason() {
            return this == NO_SUCH_TOKEN ? "no_such_token" : "not_owner";
        }
    }
}
