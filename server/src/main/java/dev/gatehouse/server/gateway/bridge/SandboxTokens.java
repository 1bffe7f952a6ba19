package dev.gatehouse.server.gateway.bridge;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvent.Actor;
import dev.gatehouse.server.audit.AuditEvent.Outcome;
import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.tokens.RevokedTokens;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.store.GroupCommitter;
import dev.gatehouse.server.store.StoreBusyException;
import dev.gatehouse.server.tokens.MintRequest;
import dev.gatehouse.server.tokens.MintedToken;
import dev.gatehouse.server.tokens.TokenMinter;
import dev.gatehouse.server.tokens.TokensConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Mints, records and revokes sandbox tokens (the NewAPI bridge contract, {@code docs/newapi-proxy-contract.md}).
 *
 * <p>A token carries {@code {iss, sub: sandbox_id, org, user, channels, iat, exp: iat + 7d (or
 * tokens.maxTtl if shorter), typ: "sandbox", jti}}, and {@code allowed_models} when the request names models. Every minted token is stored by {@code jti}
 * (never its value) with an audit event in the same transaction, a group commit shared with other
 * issuances ({@link GroupCommitter}), before the token is returned; revoking a sandbox marks all of
 * its tokens revoked, here at once and on other replicas at their next revocation poll. Legacy NewAPI
 * tokens (HS256, no {@code jti}) were never recorded; revoking their sandbox revokes those issued
 * before it, by the sandbox id in their {@code sub}.
 *
 * <p>Thread-safe. {@link #issue} signs on the calling thread and never blocks on the store; {@link
 * #revokeSandbox} blocks on the store: call it off the event loop.
 */
public final class SandboxTokens {
    /** The lifetime of a sandbox token, unless {@code tokens.maxTtl} is shorter; also of a legacy NewAPI token. */
    public static final Duration TTL = Duration.ofDays(7);
    /** How long a sandbox's revocation covers its legacy tokens: their lifetime, and the largest clock skew. */
    static final Duration LEGACY_REVOCATION_LASTS = TTL.plus(TokensConfig.MAX_CLOCK_SKEW);
    public static final String ISSUED = "sandbox_token.issued";
    public static final String REVOKED = "sandbox_token.revoked";

    private final Database database;
    private final GroupCommitter committer;
    private final SandboxTokenRecords records;
    private final TokenMinter minter;
    private final Duration ttl;
    private final AuditLog audit;
    private final RevokedTokens revoked;
    private final boolean legacyTokens;
    private final Clock clock;

    /**
     * @param committer writes issued tokens' records (on {@code database})
     * @param minter the HS256 minter when {@code keys.hs256Secret} is set, else the key ring's
     * @param maxTtl {@code tokens.maxTtl}
     * @param legacyTokens whether sandbox tokens without {@code jti} can be valid (HS256 interop is
     *     configured): revoking a sandbox then revokes those too
     */
    public SandboxTokens(Database database, GroupCommitter committer, TokenMinter minter, Duration maxTtl,
            AuditLog audit, RevokedTokens revoked, boolean legacyTokens, Clock clock) {
        this.database = requireNonNull(database, "database");
        this.committer = requireNonNull(committer, "committer");
        this.minter = requireNonNull(minter, "minter");
        this.ttl = TTL.compareTo(requireNonNull(maxTtl, "maxTtl")) <= 0 ? TTL : maxTtl;
        this.audit = requireNonNull(audit, "audit");
        this.records = new SandboxTokenRecords(audit);
        this.revoked = requireNonNull(revoked, "revoked");
        this.legacyTokens = legacyTokens;
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Mints a token for {@code request} on the calling thread (signing only: no I/O) and queues its
     * row and audit event for the store's next group commit. The future completes with the token
     * only once both are committed; it fails with the store's error or {@link StoreBusyException}
     * when they were not (then the token must not be handed out: nothing knows of it).
     */
    public CompletableFuture<MintedToken> issue(SandboxTokenRequest request, Actor actor, RequestOrigin origin) {
        requireNonNull(request, "request");
        requireNonNull(origin, "origin");
        Map<String, Object> claims = new HashMap<>(Map.of(
                "org", request.organization(), "user", request.user(), "channels", request.channels()));
        if (!request.models().isEmpty()) {
            claims.put("allowed_models", request.models());
        }
        MintedToken minted = minter.mint(new MintRequest(TokenType.SANDBOX, request.sandbox(), List.of(), ttl, claims));
        Map<String, Object> detail = new HashMap<>(Map.of(
                "sandbox_id", request.sandbox(),
                "user", request.user(),
                "channels", request.channels(),
                "key_id", minted.keyId(),
                "expires_at", minted.expiresAt().toString()));
        if (!request.models().isEmpty()) {
            detail.put("allowed_models", request.models());
        }
        AuditEvent event = AuditEvent.of(clock.instant(), actor, Optional.of(request.organization()),
                ISSUED, Optional.of(minted.tokenId()), origin, Outcome.SUCCESS, detail);
        return committer.submit(records, new SandboxTokenRecords.Issuance(request, minted, event));
    }

    /**
     * Revokes every unrevoked token of {@code sandbox}; effective at once on this replica. Idempotent.
     * With legacy tokens, also every token of the sandbox without {@code jti} issued (by its {@code
     * iat}) at or before now: none is recorded, so the sandbox itself is, for {@link
     * #LEGACY_REVOCATION_LASTS}.
     *
     * @return how many recorded tokens this call revoked (0 when none, or all already were); legacy
     *     tokens cannot be counted
     */
    public int revokeSandbox(String sandbox, Actor actor, RequestOrigin origin) {
        requireNonNull(sandbox, "sandbox");
        requireNonNull(origin, "origin");
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant legacyExpire = now.plus(LEGACY_REVOCATION_LASTS);
        List<Map.Entry<String, Long>> revokedNow = database.jdbi().inTransaction(handle -> {
            List<Map.Entry<String, Long>> open = handle.createQuery("""
                            SELECT jti, expires_at FROM sandbox_tokens
                            WHERE sandbox_id = :sandbox AND revoked_at IS NULL""")
                    .bind("sandbox", sandbox)
                    .map((rs, ctx) -> Map.entry(rs.getString("jti"), rs.getLong("expires_at")))
                    .list();
            if (open.isEmpty() && !legacyTokens) {
                return open;
            }
            handle.createUpdate("""
                            UPDATE sandbox_tokens SET revoked_at = :at
                            WHERE sandbox_id = :sandbox AND revoked_at IS NULL""")
                    .bind("at", now.toEpochMilli())
                    .bind("sandbox", sandbox)
                    .execute();
            open.forEach(token -> revoked.record(handle, token.getKey(), token.getValue()));
            Map<String, Object> detail = new HashMap<>();
            detail.put("token_ids", open.stream().map(Map.Entry::getKey).toList());
            if (legacyTokens) {
                revoked.recordSandbox(handle, sandbox, now, legacyExpire);
                detail.put("legacy_tokens_issued_before", now.toString());
            }
            audit.record(handle, AuditEvent.of(now, actor, Optional.empty(), REVOKED, Optional.of(sandbox),
                    origin, Outcome.SUCCESS, detail));
            return open;
        });
        revokedNow.forEach(entry -> revoked.add(entry.getKey(), Instant.ofEpochMilli(entry.getValue())));
        if (legacyTokens) {
            revoked.addSandbox(sandbox, now, legacyExpire);
        }
        return revokedNow.size();
    }
}
