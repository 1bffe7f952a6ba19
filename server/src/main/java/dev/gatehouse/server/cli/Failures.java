package dev.gatehouse.server.cli;

/** Turns a start-up failure into one line for an operator: the messages of the cause chain. */
final class Failures {
    private Failures() {}

    static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (text.indexOf(message) < 0) {
                text.append(text.isEmpty() ? "" : ": ").append(message);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return text.toString();
    }
}
