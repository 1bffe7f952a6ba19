package dev.gatehouse.server.gateway.bridge;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.store.BatchWrite;
import dev.gatehouse.server.store.WriteOutcome;
import dev.gatehouse.server.tokens.MintedToken;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Writes minted sandbox tokens' rows (by {@code jti}, never the value) and their audit events, two
 * JDBC batches per group commit. Nothing is refused here: a failing row fails the batch, and the
 * committer retries each issuance alone. Stateless; thread-safe.
 */
final class SandboxTokenRecords implements BatchWrite<SandboxTokenRecords.Issuance, MintedToken> {
    private final AuditLog audit;

    SandboxTokenRecords(AuditLog audit) {
        this.audit = requireNonNull(audit, "audit");
    }

    /** One minted token, the request it answers and its audit event. */
    record Issuance(SandboxTokenRequest request, MintedToken minted, AuditEvent event) {
        Issuance {
            requireNonNull(request, "request");
            requireNonNull(minted, "minted");
            requireNonNull(event, "event");
        }
    }

    @Override
    public List<WriteOutcome<MintedToken>> write(Handle transaction, List<Issuance> items) {
        PreparedBatch rows = transaction.prepareBatch("""
                INSERT INTO sandbox_tokens (jti, sandbox_id, organization, user_id, channels, key_id,
                                            issued_at, expires_at)
                VALUES (:jti, :sandbox, :organization, :user, :channels, :keyId, :issuedAt, :expiresAt)""");
        List<AuditEvent> events = new ArrayList<>(items.size());
        List<WriteOutcome<MintedToken>> outcomes = new ArrayList<>(items.size());
        for (Issuance item : items) {
            MintedToken minted = item.minted();
            SandboxTokenRequest request = item.request();
            rows.bind("jti", minted.tokenId())
                    .bind("sandbox", request.sandbox())
                    .bind("organization", request.organization())
                    .bind("user", request.user())
                    .bind("channels", new JsonArray(request.channels()).encode())
                    .bind("keyId", minted.keyId())
                    .bind("issuedAt", minted.issuedAt().toEpochMilli())
                    .bind("expiresAt", minted.expiresAt().toEpochMilli())
                    .add();
            events.add(item.event());
            outcomes.add(WriteOutcome.written(minted));
        }
        rows.execute();
        audit.recordAll(transaction, events);
        return outcomes;
    }
}
