package dev.gatehouse.server.http;

import io.vertx.ext.web.Router;
import java.util.List;

/** A capability's HTTP surface: it adds its routes to the shared router. */
@FunctionalInterface
public interface Routes {
    void register(Router router);

    /**
     * Path prefixes whose routes bound their request bodies themselves (with a limit of their own),
     * so that {@link BodyLimit}'s {@code server.maxBodyBytes} does not apply there. None by default.
     */
    default List<String> ownBodyLimitPrefixes() {
        return List.of();
    }

    /**
     * Whether the router tests these routes before every other capability's: for routes on a path
     * prefix no other capability serves and on the hot path (the gateway's {@code /v1}), whose
     * requests would otherwise be matched against every other route first. They then also run before
     * the handlers other capabilities put in front of every route. False by default.
     */
    default boolean matchedFirst() {
        return false;
    }
}
