package dev.gatehouse.server.http;

/**
 * One dependency {@code /readyz} waits for. {@link #isReady()} may block briefly (it runs on a
 * worker thread, never on the event loop) and must not throw for an ordinary "not ready".
 */
public interface ReadinessCheck {
    String name();

    boolean isReady();

    static ReadinessCheck of(String name, java.util.function.BooleanSupplier check) {
        return new ReadinessCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean isReady() {
                return check.getAsBoolean();
            }
        };
    }
}
