package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

/**
 * Who a gateway request is made by, as far as metering and limits care: the dimensions usage is
 * recorded and limited by. Immutable.
 *
 * @param organization the organization billed; required
 * @param user the user subject behind the credential, or {@code null} (e.g. a service token)
 * @param sandbox the sandbox the credential was issued to, or {@code null}
 * @param tokenId the credential's id: its {@code jti}, or for a legacy token without one an id derived from
 *     the token; required: per-token limits are keyed by it
 * @param tokenType the credential's kind, e.g. {@code sandbox}, {@code pat}, {@code session}; required
 */
public record Caller(String organization, String user, String sandbox, String tokenId, String tokenType) {
    public Caller {
        requireNonNull(organization, "organization");
        requireNonNull(tokenId, "tokenId");
        requireNonNull(tokenType, "tokenType");
    }
}
