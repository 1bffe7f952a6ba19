package dev.gatehouse.server.http;

/**
 * One dependency {@code /readyz} waits for. {@link #isReady()} answers from state kept current
 * elsewhere (a probe thread, the last refresh) and never blocks: it is called on the event loop. It
 * must not throw for an ordinary "not ready".
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
