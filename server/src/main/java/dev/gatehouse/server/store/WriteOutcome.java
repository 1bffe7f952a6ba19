package dev.gatehouse.server.store;

import static java.util.Objects.requireNonNull;

/** What a {@link BatchWrite} did with one item: written (value for the caller) or refused (nothing written). */
public sealed interface WriteOutcome<R> {

    static <R> WriteOutcome<R> written(R value) {
        return new Written<>(value);
    }

    static <R> WriteOutcome<R> refused(RuntimeException reason) {
        return new Refused<>(reason);
    }

    /** @param value handed to the caller once the transaction committed; may be null */
    record Written<R>(R value) implements WriteOutcome<R> {}

    /** @param reason the caller's future fails with it; the transaction goes on without this item */
    record Refused<R>(RuntimeException reason) implements WriteOutcome<R> {
        public Refused {
            requireNonNull(reason, "reason");
        }
    }
}
