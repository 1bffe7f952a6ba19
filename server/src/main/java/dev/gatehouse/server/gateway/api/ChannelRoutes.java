package dev.gatehouse.server.gateway.api;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.admin.AdminAuth;
import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvent.Actor;
import dev.gatehouse.server.audit.AuditEvent.Outcome;
import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.audit.RequestOrigins;
import dev.gatehouse.server.gateway.channels.Channel;
import dev.gatehouse.server.gateway.channels.ChannelChange;
import dev.gatehouse.server.gateway.channels.ChannelReloader;
import dev.gatehouse.server.gateway.channels.Channels;
import dev.gatehouse.server.gateway.channels.ChannelsRefusedException;
import dev.gatehouse.server.gateway.metrics.ChannelMetrics;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.Routes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /admin/channels/reload}: re-reads the configuration file and puts its
 * {@code gateway.channels} (and {@code gateway.defaultProvider}) in use without a restart (see
 * {@link ChannelReloader}), for whoever presents the admin secret. Answers 200 with {@code
 * {"added","removed","changed","channels"}} (names only). A configuration with errors is 400
 * {@code invalid_config} with the problems as {@code gatehouse config check} lists them, and the
 * channels in use stay. Each reload is audited ({@value #RELOADED}, with what changed, before it takes
 * effect), each refusal too ({@value #REFUSED}); never a key.
 */
public final class ChannelRoutes implements Routes {
    public static final String RELOADED = "gateway.channels.reloaded";
    public static final String REFUSED = "gateway.channels.reload_refused";

    private final AdminAuth admin;
    private final Channels channels;
    private final ChannelReloader reloader;
    private final ChannelMetrics metrics;
    private final AuditLog audit;
    private final Clock clock;

    public ChannelRoutes(AdminAuth admin, Channels channels, ChannelReloader reloader, ChannelMetrics metrics,
            AuditLog audit, Clock clock) {
        this.admin = requireNonNull(admin, "admin");
        this.channels = requireNonNull(channels, "channels");
        this.reloader = requireNonNull(reloader, "reloader");
        this.metrics = requireNonNull(metrics, "metrics");
        this.audit = requireNonNull(audit, "audit");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public void register(Router router) {
        router.post("/admin/channels/reload").handler(admin).handler(this::reload);
    }

    private void reload(RoutingContext ctx) {
        Actor actor = AdminAuth.actor(ctx);
        RequestOrigin origin = RequestOrigins.of(ctx);
        ctx.vertx().executeBlocking(() -> reload(actor, origin), false)
                .onSuccess(change -> ctx.response()
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Cache-Control", "no-store")
                        .end(json(change).toBuffer()))
                .onFailure(e -> ctx.fail(e instanceof ChannelsRefusedException refused
                        ? ApiException.badRequest("invalid_config", refused.getMessage()) : e));
    }

    /** One at a time, so that the metrics follow the reloads in their order. */
    private synchronized ChannelChange reload(Actor actor, RequestOrigin origin) {
        ChannelReloader.Reload reload;
        try {
            reload = reloader.reload(change -> audit.record(event(actor, origin, RELOADED, Outcome.SUCCESS,
                    Map.of("added", change.added(), "removed", change.removed(), "changed", change.changed()))));
        } catch (ChannelsRefusedException e) {
            audit.record(event(actor, origin, REFUSED, Outcome.REFUSED, Map.of("reason", e.getMessage())));
            throw e;
        }
        metrics.update(channels.all());
        ChannelChange change = reload.change();
        reload.drained().onComplete(v -> metrics.retire(change.removed()));
        return change;
    }

    private AuditEvent event(Actor actor, RequestOrigin origin, String action, Outcome outcome,
            Map<String, Object> detail) {
        return AuditEvent.of(clock.instant(), actor, Optional.empty(), action, Optional.empty(), origin, outcome,
                detail);
    }

    private JsonObject json(ChannelChange change) {
        return new JsonObject()
                .put("added", new JsonArray(change.added()))
                .put("removed", new JsonArray(change.removed()))
                .put("changed", new JsonArray(change.changed()))
                .put("channels", new JsonArray(channels.all().stream().map(Channel::name).toList()));
    }
}
