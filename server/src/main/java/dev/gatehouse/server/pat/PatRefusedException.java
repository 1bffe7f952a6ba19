package dev.gatehouse.server.pat;

import static java.util.Objects.requireNonNull;

/**
 * The caller may not have the personal access token it asked for: it has no organization, asks
 * for capabilities it does not hold, or the token would be too large to be verified. The message
 * names what is wrong and is safe to show.
 */
public final class PatRefusedException extends RuntimeException {
    private final int status;
    private final String code;

    /** A 403: the caller is not allowed what it asks for. */
    PatRefusedException(String code, String message) {
        this(403, code, message);
    }

    PatRefusedException(int status, String code, String message) {
        super(requireNonNull(message, "message"), null, false, false);
        this.status = status;
        this.code = requireNonNull(code, "code");
    }

    /** The HTTP status to answer with. */
    public int status() {
        return status;
    }

    /**
     * A stable machine code: {@code organization_required}, {@code capabilities_not_held} (403),
     * {@code token_too_large} (400), {@code too_many_pats} (409).
     */
    public String code() {
        return code;
    }
}
