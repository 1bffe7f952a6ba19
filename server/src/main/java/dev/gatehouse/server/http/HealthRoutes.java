package dev.gatehouse.server.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code /healthz}: the process is alive. {@code /readyz}: every {@link ReadinessCheck} passes
 * (200) or not (503, naming the checks that failed). Both answer JSON at once and never need auth:
 * the checks read state kept current elsewhere, so a readiness probe never waits for a dependency
 * (nor for a worker thread that does).
 */
public final class HealthRoutes {
    private final List<ReadinessCheck> checks;

    public HealthRoutes(List<ReadinessCheck> checks) {
        this.checks = List.copyOf(checks);
    }

    public void register(Router router) {
        router.get("/healthz").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "ok")));
        router.get("/readyz").handler(this::readiness);
    }

    private void readiness(RoutingContext ctx) {
        JsonObject body = evaluate();
        json(ctx, "ready".equals(body.getString("status")) ? 200 : 503, body);
    }

    private JsonObject evaluate() {
        JsonObject details = new JsonObject();
        boolean ready = true;
        for (ReadinessCheck check : checks) {
            boolean ok;
            try {
                ok = check.isReady();
            } catch (RuntimeException e) {
                ok = false;
            }
            details.put(check.name(), ok ? "ready" : "not ready");
            ready &= ok;
        }
        return new JsonObject().put("status", ready ? "ready" : "not ready").put("checks", details);
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .end(body.toBuffer());
    }
}
