package dev.gatehouse.server.gateway.api;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.admin.AdminAuth;
import dev.gatehouse.server.gateway.ChannelConfig;
import dev.gatehouse.server.gateway.Protocol;
import dev.gatehouse.server.gateway.channels.Channel;
import dev.gatehouse.server.gateway.channels.ChannelHealth;
import dev.gatehouse.server.gateway.channels.Channels;
import dev.gatehouse.server.gateway.metrics.ChannelTraffic;
import dev.gatehouse.server.gateway.metrics.ChannelTrafficReader;
import dev.gatehouse.server.http.Routes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /admin/channels}: every channel in use, in configuration order, with its health and its
 * traffic since the process started, for whoever passes {@link AdminAuth} with {@link
 * AdminAuth.Permission#ADMIN}:
 *
 * <pre>{@code {"channels":[{"name","provider","base_url","protocols":[..],"models":[..],"aliases":{..},
 *   "state":"in"|"out","since":instant|null,"requests":{"completed","aborted","failed","total"},
 *   "upstream_errors":{reason:n,..},"tokens":{"prompt","completion"},
 *   "first_byte_seconds":{"count","mean","max"},"request_duration_seconds":{"count","mean","max"}}],
 *  "generated_at":instant}}</pre>
 *
 * {@code aliases} only when the channel has some. The figures are the meters {@code /metrics} exposes
 * ({@link ChannelTrafficReader}), of this replica. Nothing secret is shown: no key, no {@code
 * apiKeyEnv} or {@code apiKeyFile}, the base URL without user information ({@link
 * ChannelConfig#shownBaseUrl()}).
 */
public final class ChannelStatusRoutes implements Routes {
    private final AdminAuth admin;
    private final Channels channels;
    private final ChannelTrafficReader traffic;
    private final Clock clock;

    public ChannelStatusRoutes(AdminAuth admin, Channels channels, ChannelTrafficReader traffic, Clock clock) {
        this.admin = requireNonNull(admin, "admin");
        this.channels = requireNonNull(channels, "channels");
        this.traffic = requireNonNull(traffic, "traffic");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public void register(Router router) {
        router.get("/admin/channels").handler(admin.requiring(AdminAuth.Permission.ADMIN)).handler(this::list);
    }

    private void list(RoutingContext ctx) {
        JsonArray list = new JsonArray();
        channels.all().forEach(channel -> list.add(json(channel)));
        JsonObject body = new JsonObject().put("channels", list).put("generated_at", shown(clock.instant()));
        ctx.response()
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .end(body.toBuffer());
    }

    private JsonObject json(Channel channel) {
        ChannelConfig config = channel.config();
        ChannelHealth.State state = channel.health().state();
        ChannelTraffic figures = traffic.read(channel);
        JsonObject json = new JsonObject()
                .put("name", config.name())
                .put("provider", config.provider())
                .put("base_url", config.shownBaseUrl())
                .put("protocols", new JsonArray(config.protocols().stream().map(Protocol::value).toList()))
                .put("models", new JsonArray(config.models()));
        if (!config.aliases().isEmpty()) {
            json.put("aliases", new JsonObject(new LinkedHashMap<>(config.aliases())));
        }
        JsonObject requests = counts(figures.requests()).put("total", figures.requestsTotal());
        return json
                .put("state", state.in() ? "in" : "out")
                .put("since", state.since().map(ChannelStatusRoutes::shown).orElse(null))
                .put("requests", requests)
                .put("upstream_errors", counts(figures.upstreamErrors()))
                .put("tokens", new JsonObject().put("prompt", figures.promptTokens())
                        .put("completion", figures.completionTokens()))
                .put("first_byte_seconds", latency(figures.firstByte()))
                .put("request_duration_seconds", latency(figures.duration()));
    }

    /** To the millisecond, like the audit log's instants; finer says nothing to an operator. */
    private static String shown(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static JsonObject counts(Map<String, Long> counts) {
        return new JsonObject(new LinkedHashMap<>(counts));
    }

    private static JsonObject latency(ChannelTraffic.Latency latency) {
        return new JsonObject().put("count", latency.count()).put("mean", latency.meanSeconds())
                .put("max", latency.maxSeconds());
    }
}
