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
}
