package dev.gatehouse.sdk.verify;

/**
 * Why a token was refused. {@link #code()} is a stable machine code (safe to return to clients
 * and to use as a metric tag); {@link #description()} is a short human text without detail. The
 * detail of a particular refusal is in {@link TokenRejectedException#getMessage()}.
 */
public enum RejectionReason {
    /** Not a compact signed JWT: not three base64url parts, bad JSON, encrypted (JWE), bad claim types. */
    MALFORMED("malformed_token", "malformed token"),
    /** Longer than the verifier's maximum token length; refused before any parsing. */
    TOO_LARGE("token_too_large", "token too large"),
    /** {@code alg} is {@code none} or not in the verifier's algorithm allow-list. */
    UNSUPPORTED_ALGORITHM("unsupported_algorithm", "unsupported signing algorithm"),
    /** No {@code kid}, or no trusted key with this {@code kid} and algorithm. */
    UNKNOWN_KEY("unknown_key", "unknown signing key"),
    /** The signature does not verify with the trusted key. */
    BAD_SIGNATURE("bad_signature", "invalid signature"),
    /** {@code exp} is in the past, beyond the allowed clock skew. */
    EXPIRED("token_expired", "token expired"),
    /** {@code nbf} is in the future, beyond the allowed clock skew. */
    NOT_YET_VALID("token_not_yet_valid", "token not yet valid"),
    /** {@code iss} is not exactly the expected issuer. */
    WRONG_ISSUER("wrong_issuer", "wrong issuer"),
    /** {@code aud} does not contain any expected audience. */
    WRONG_AUDIENCE("wrong_audience", "wrong audience"),
    /** {@code typ} (claim or header) is missing, unknown or not accepted here. */
    WRONG_TYPE("wrong_token_type", "wrong token type"),
    /** A required claim is missing, or a claim has the wrong JSON type. */
    MISSING_CLAIM("missing_claim", "missing or malformed claim"),
    /** {@code org_id}, {@code org} and {@code organization} name different organizations. */
    ORGANIZATION_CONFLICT("organization_conflict", "conflicting organization claims"),
    /** The revocation check reports the token revoked. */
    REVOKED("token_revoked", "token revoked"),
    /**
     * The trusted keys could not be fetched (for example the JWKS endpoint is down and nothing is
     * cached). Not the token's fault: a retry may succeed, so servers usually answer 503, not 401.
     */
    KEYS_UNAVAILABLE("keys_unavailable", "signing keys unavailable");

    private final String code;
    private final String description;

    RejectionReason(String code, String description) {
        this.code = code;
        this.description = description;
    }

    /** The stable machine code, for example {@code token_expired}. */
    public String code() {
        return code;
    }

    /** A short human description without detail, for example {@code token expired}. */
    public String description() {
        return description;
    }
}
