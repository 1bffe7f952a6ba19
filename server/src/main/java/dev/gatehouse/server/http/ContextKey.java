package dev.gatehouse.server.http;

import static java.util.Objects.requireNonNull;

import io.vertx.ext.web.RoutingContext;

/**
 * A typed slot in a {@link RoutingContext}: what one handler leaves for the handlers after it,
 * read back with its type instead of through an untyped string key. Each key is a constant of the
 * handler that writes it. Immutable.
 *
 * @param <T> the value's type
 */
public final class ContextKey<T> {
    private final String name;

    private ContextKey(String name) {
        this.name = requireNonNull(name, "name");
    }

    /** @param name unique across the application, e.g. {@code gatehouse.gateway.caller} */
    public static <T> ContextKey<T> named(String name) {
        return new ContextKey<>(name);
    }

    public void put(RoutingContext ctx, T value) {
        ctx.put(name, value);
    }

    /** The value, or {@code null} when no handler put one. */
    public T get(RoutingContext ctx) {
        return ctx.get(name);
    }

    @Override
    public String toString() {
        return name;
    }
}
