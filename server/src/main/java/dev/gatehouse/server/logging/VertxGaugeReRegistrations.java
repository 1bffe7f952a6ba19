package dev.gatehouse.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops Micrometer's "This Gauge has been already registered" line for Vert.x's own meters, and no
 * other line.
 *
 * <p>vertx-micrometer-metrics 5.0 registers its gauges again for every accepted connection
 * ({@code vertx.http.server.active.connections}) and every request ({@code ...active.requests}), by
 * design: each registration hands back the one counter behind the gauge, so the values are right.
 * Micrometer (since 1.13.9) warns about any gauge registered twice, so the second connection of
 * every start logged a warning about nothing. Neither library offers a way to avoid it (open as
 * vert-x3/vertx-micrometer-metrics#259 and micrometer-metrics/micrometer#6931); drop this filter
 * once one does. Micrometer warns only once per process and logs later re-registrations at DEBUG,
 * so a genuine one of another meter is still logged, at WARN if it comes first.
 */
final class VertxGaugeReRegistrations extends TurboFilter {
    private static final String MICROMETER_REGISTRY = "io.micrometer.core.instrument.MeterRegistry";
    private static final String VERTX_GAUGE_REGISTERED_AGAIN =
            "This Gauge has been already registered (MeterId{name='vertx.";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
            Throwable t) {
        boolean vertxGaugeAgain = format != null && format.startsWith(VERTX_GAUGE_REGISTERED_AGAIN)
                && logger.getName().equals(MICROMETER_REGISTRY);
        return vertxGaugeAgain ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
