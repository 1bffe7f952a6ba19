package dev.gatehouse.server.http;

import io.vertx.ext.web.Router;

/** A capability's HTTP surface: it adds its routes to the shared router. */
@FunctionalInterface
public interface Routes {
    void register(Router router);
}
