package dev.gatehouse.sdk.claims;

import java.util.Optional;

/**
 * The kind of a Gatehouse-issued token, carried in the {@code typ} claim. Explicit typing keeps a
 * token minted for one purpose from being accepted for another (RFC 8725 §3.11).
 */
public enum TokenType {
    /** An interactive user's session (from Keycloak, or the local dev identity). */
    SESSION("session"),
    /** A personal access token: long-lived, org-scoped, revocable. */
    PAT("pat"),
    /** A per-sandbox LLM gateway token. */
    SANDBOX("sandbox"),
    /** A service-to-service token. */
    SERVICE("service");

    private final String claimValue;

    TokenType(String claimValue) {
        this.claimValue = claimValue;
    }

    /** The exact value of the {@code typ} claim for this type. */
    public String claimValue() {
        return claimValue;
    }

    /** The type whose claim value is exactly {@code value} (case-sensitive), if any. */
    public static Optional<TokenType> fromClaimValue(String value) {
        for (TokenType type : values()) {
            if (type.claimValue.equals(value)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
