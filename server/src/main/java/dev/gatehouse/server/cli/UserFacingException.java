package dev.gatehouse.server.cli;

/** A failure whose message is meant for the operator as is, with the exit code to use. */
final class UserFacingException extends RuntimeException {
    private final int exitCode;

    UserFacingException(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
