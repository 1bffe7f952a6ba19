package dev.gatehouse.server.sandbox;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.TokenVerifier;
import dev.gatehouse.server.http.BearerAuth;
import dev.gatehouse.server.http.Routes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.Set;

/**
 * {@code GET /api/v1/sandbox/profiles}, for a session: the profiles a member may start a sandbox
 * from, in configuration order, {@code {"profiles": [{"name", "default", "model", "idle_timeout_seconds",
 * "max_lifetime_seconds"}]}}: only what a person needs to choose one. Images, commands, channels,
 * resources and volumes stay on the server. The answer is fixed at start-up. Thread-safe.
 */
public final class SandboxProfileRoutes implements Routes {
    static final String PATH = "/api/v1/sandbox/profiles";

    private final BearerAuth auth;
    private final Buffer body;

    public SandboxProfileRoutes(TokenVerifier callers, SandboxConfig config) {
        this.auth = new BearerAuth(requireNonNull(callers, "callers"), Set.of(TokenType.SESSION));
        this.body = json(requireNonNull(config, "config")).toBuffer();
    }

    @Override
    public void register(Router router) {
        router.get(PATH).handler(auth).handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .end(body));
    }

    static JsonObject json(SandboxConfig config) {
        JsonArray profiles = new JsonArray();
        for (SandboxProfile profile : config.profiles()) {
            profiles.add(new JsonObject()
                    .put("name", profile.name())
                    .put("default", profile.name().equals(SandboxProfile.DEFAULT))
                    .put("model", profile.model().orElse(null))
                    .put("idle_timeout_seconds", config.idleTimeout().toSeconds())
                    .put("max_lifetime_seconds", config.maxLifetime().toSeconds()));
        }
        return new JsonObject().put("profiles", profiles);
    }
}
