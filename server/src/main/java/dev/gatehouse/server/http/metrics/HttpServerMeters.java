package dev.gatehouse.server.http.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MetricsNaming;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The per-request meters of Vert.x's HTTP servers, as Vert.x's Micrometer metrics name, tag and
 * describe them ({@code vertx_http_server_requests_total{code,method}}, {@code
 * vertx_http_server_response_time_seconds}, {@code vertx_http_server_active_requests{method}}, the
 * request and response sizes, the resets), each resolved once per method and status and then kept:
 * Vert.x's own implementation builds tags and looks up or registers five meters for every request.
 *
 * <p>A method outside {@link HttpMethod#values()} is tagged {@value #OTHER_METHOD}: a caller choosing
 * a new method name per request would otherwise add meters without bound. Shared by every HTTP server
 * of one Vert.x instance (the registry holds one meter per name and tags). Thread-safe.
 */
final class HttpServerMeters {
    static final String OTHER_METHOD = "OTHER";
    private static final int STATUS_CODES = 1000;

    private final MeterRegistry registry;
    private final MetricsNaming names =
            MetricsNaming.v4Names().withBaseName("vertx." + MetricsDomain.HTTP_SERVER.toCategory() + ".");
    private final Map<String, ByMethod> byMethod = new ConcurrentHashMap<>();

    HttpServerMeters(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry");
    }

    ByMethod method(HttpMethod method) {
        String name = method.name();
        ByMethod meters = byMethod.get(name);
        return meters != null ? meters
                : byMethod.computeIfAbsent(HttpMethod.values().contains(method) ? name : OTHER_METHOD, ByMethod::new);
    }

    /** The meters of one method; those of each status created on first use. */
    final class ByMethod {
        final String method;
        final LongAdder active = new LongAdder();
        final DistributionSummary requestBytes;
        final Counter resets;
        private final AtomicReferenceArray<ByStatus> byStatus = new AtomicReferenceArray<>(STATUS_CODES);

        private ByMethod(String method) {
            this.method = method;
            Gauge.builder(names.getHttpActiveRequests(), active, LongAdder::doubleValue)
                    .description("Number of requests being processed").tag("method", method).register(registry);
            requestBytes = DistributionSummary.builder(names.getHttpRequestBytes())
                    .description("Size of requests in bytes").tag("method", method).register(registry);
            resets = Counter.builder(names.getHttpRequestResetsCount())
                    .description("Number of request resets").tag("method", method).register(registry);
        }

        ByStatus status(int code) {
            int slot = Math.floorMod(code, STATUS_CODES);
            ByStatus meters = byStatus.get(slot);
            if (meters == null || meters.code != code) {
                meters = new ByStatus(method, code);
                byStatus.set(slot, meters);
            }
            return meters;
        }
    }

    /** The meters of one method and status. */
    final class ByStatus {
        final int code;
        final Counter requests;
        final Timer responseTime;
        final DistributionSummary responseBytes;

        private ByStatus(String method, int code) {
            this.code = code;
            String status = String.valueOf(code);
            requests = Counter.builder(names.getHttpRequestsCount())
                    .description("Number of processed requests").tags("code", status, "method", method).register(registry);
            responseTime = Timer.builder(names.getHttpResponseTime())
                    .description("Request processing time").tags("code", status, "method", method).register(registry);
            responseBytes = DistributionSummary.builder(names.getHttpResponseBytes())
                    .description("Size of responses in bytes").tags("code", status, "method", method).register(registry);
        }
    }
}
