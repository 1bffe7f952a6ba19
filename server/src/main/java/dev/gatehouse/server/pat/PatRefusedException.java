package dev.gatehouse.server.pat;

import static java.util.Objects.requireNonNull;

/**
 * The caller may not have the personal access token it asked for: it has no organization, or asks
 * for capabilities it does not hold. The message names what is missing and is safe to show.
 */
public final class PatRefusedException extends RuntimeException {
    private final String code;

    PatRefusedException(String code, String message) {
        super(requireNonNull(message, "message"), null, false, false);
        this.code = requireNonNull(code, "code");
    }

    /** A stable machine code: {@code organization_required} or {@code capabilities_not_held}. */
    public String code() {
        return code;
    }
}
