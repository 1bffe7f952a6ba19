package dev.gatehouse.server.sandbox;

import dev.gatehouse.server.audit.AuditEvent.Actor;
import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import dev.gatehouse.server.tokens.MintedToken;
import java.util.List;

/**
 * Mints and revokes sandboxes' gateway tokens: the same minting path, records and audit as the
 * sandbox-token bridge ({@code POST /admin/tokens/sandbox}). Blocks on the store: call it off the
 * event loop. Thread-safe.
 */
public interface SandboxCredentials {

    /**
     * A fresh {@code typ=sandbox} token: {@code sub} the sandbox, {@code org}, {@code user},
     * {@code channels}; recorded and audited as issued by {@code actor}.
     */
    MintedToken issue(String sandbox, String organization, String user, List<String> channels, Actor actor,
            RequestOrigin origin);

    /**
     * Revokes every token of {@code sandbox}, effective at once on this replica and within the
     * revocation poll interval on the others.
     *
     * @return how many tokens this call revoked
     */
    int revokeAll(String sandbox, Actor actor, RequestOrigin origin);
}
