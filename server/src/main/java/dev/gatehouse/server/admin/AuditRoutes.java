package dev.gatehouse.server.admin;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.audit.AuditQuery;
import dev.gatehouse.server.audit.RequestOrigins;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.QueryInstants;
import dev.gatehouse.server.http.Routes;
import dev.gatehouse.server.http.Shown;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /admin/audit?since=&until=&action=&actor=&organization=&limit=}: the audit log, newest
 * first, for whoever passes {@link AdminAuth} (the admin secret, or a service account with the admin
 * role). Each read is itself recorded ({@value AuditEvent#AUDIT_READ}, with the query and who read),
 * after the events it returns. {@code since}/{@code until} are ISO-8601 instants
 * ({@code 2026-01-01T00:00:00Z}); {@code limit} defaults to {@value AuditQuery#DEFAULT_LIMIT}, at most
 * {@value AuditQuery#MAX_LIMIT}. Unknown or repeated parameters are 400.
 */
public final class AuditRoutes implements Routes {
    private static final Set<String> PARAMETERS = Set.of("since", "until", "action", "actor", "organization", "limit");

    private final AdminAuth admin;
    private final AuditLog audit;

    public AuditRoutes(AdminAuth admin, AuditLog audit) {
        this.admin = requireNonNull(admin, "admin");
        this.audit = requireNonNull(audit, "audit");
    }

    @Override
    public void register(Router router) {
        router.get("/admin/audit").handler(admin).handler(this::find);
    }

    private void find(RoutingContext ctx) {
        AuditQuery query = query(ctx.queryParams());
        AuditEvent read = AuditEvent.of(Instant.now(), AdminAuth.actor(ctx), Optional.empty(), AuditEvent.AUDIT_READ,
                Optional.empty(), RequestOrigins.of(ctx), AuditEvent.Outcome.SUCCESS, detail(query));
        ctx.vertx().executeBlocking(() -> {
                    List<AuditEvent> events = audit.find(query);
                    audit.record(read);
                    return events;
                }, false)
                .onSuccess(events -> ctx.response()
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Cache-Control", "no-store")
                        .end(new JsonObject().put("events", new JsonArray(events.stream().map(AuditRoutes::json).toList()))
                                .toBuffer()))
                .onFailure(ctx::fail);
    }

    /** The query as recorded with an {@value AuditEvent#AUDIT_READ} event. */
    private static Map<String, Object> detail(AuditQuery query) {
        Map<String, Object> detail = new LinkedHashMap<>();
        query.since().ifPresent(since -> detail.put("since", since.toString()));
        query.until().ifPresent(until -> detail.put("until", until.toString()));
        query.action().ifPresent(action -> detail.put("action", action));
        query.actor().ifPresent(actor -> detail.put("actor", actor));
        query.organization().ifPresent(organization -> detail.put("organization", organization));
        detail.put("limit", query.limit());
        return detail;
    }

    static AuditQuery query(MultiMap params) {
        for (String name : params.names()) {
            if (!PARAMETERS.contains(name)) {
                throw ApiException.badRequest("unknown_parameter", "Unknown query parameter " + Shown.quote(name)
                        + " (expected: since, until, action, actor, organization, limit).");
            }
            if (params.getAll(name).size() > 1) {
                throw ApiException.badRequest("invalid_parameter", name + ": given more than once (expected: once)");
            }
        }
        int limit = AuditQuery.DEFAULT_LIMIT;
        String limitText = params.get("limit");
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > AuditQuery.MAX_LIMIT) {
                throw ApiException.badRequest("invalid_parameter",
                        "limit: " + Shown.quote(limitText) + " (expected: 1.." + AuditQuery.MAX_LIMIT + ")");
            }
        }
        return new AuditQuery(QueryInstants.optional(params, "since"), QueryInstants.optional(params, "until"), text(params, "action"),
                text(params, "actor"), text(params, "organization"), limit);
    }

    private static Optional<String> text(MultiMap params, String name) {
        String text = params.get(name);
        if (text != null && text.isEmpty()) {
            throw ApiException.badRequest("invalid_parameter", name + ": \"\" (expected: not empty)");
        }
        return Optional.ofNullable(text);
    }

    static JsonObject json(AuditEvent event) {
        return new JsonObject()
                .put("id", event.id())
                .put("occurred_at", event.occurredAt().toString())
                .put("actor", new JsonObject()
                        .put("subject", event.actor().subject())
                        .put("issuer", event.actor().issuer())
                        .put("client", event.actor().client().orElse(null))
                        .put("on_behalf_of", event.actor().onBehalfOf().orElse(null)))
                .put("organization", event.organization().orElse(null))
                .put("action", event.action())
                .put("target", event.target().orElse(null))
                .put("source_ip", event.origin().sourceIp().orElse(null))
                .put("request_id", event.origin().requestId().orElse(null))
                .put("outcome", event.outcome().value())
                .put("detail", new JsonObject(event.detail()));
    }
}
