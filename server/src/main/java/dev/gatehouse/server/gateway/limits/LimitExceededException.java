package dev.gatehouse.server.gateway.limits;

/** A refused admission. (ISSUE4 interface, owned by gw-meter; on merge keep gw-meter's version.) */
public final class LimitExceededException extends Exception {
    private final long retryAfterSeconds;
    private final String limit;

    public LimitExceededException(String limit, long retryAfterSeconds) {
        super(limit + " exceeded", null, false, false);
        this.limit = limit;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public String limit() {
        return limit;
    }
}
