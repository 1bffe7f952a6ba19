package dev.gatehouse.server.gateway.channels;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.ChannelConfig;
import dev.gatehouse.server.gateway.Protocol;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a channel that is out back in. While it is out, every {@code interval} it sends {@code GET
 * <baseUrl><probePath>} ({@code /models} by default, which OpenAI-compatible upstreams serve cheaply)
 * with the channel's key as bearer (an Anthropic channel, one that speaks {@code anthropic.messages}
 * and not {@code openai.chat}: as {@code x-api-key} with {@code anthropic-version}, as Anthropic's
 * {@code GET /v1/models} wants it), through the channel's own client. The probe is healthy only when
 * the upstream answers 2xx within {@code timeout}: a 404 (a proxy in front of a dead upstream, a
 * wrong base URL) or any other status, a connect error or a timeout keeps the channel out until the
 * next probe, so a broken channel does not flap back in. The first probe is one interval after the channel went
 * out, each next one an interval after the previous one ended, so probes never overlap. A channel
 * that is in is never probed.
 *
 * <p>Timers and probes run on one Vert.x context and never block. Thread-safe: {@link #wentOut} and
 * {@link #close} may be called from any thread; after {@link #close()} no probe is started.
 */
final class ChannelProber implements ChannelHealth.OutListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChannelProber.class);

    private final Context context;
    private final ChannelConfig channel;
    private final ChannelOrigin origin;
    private final Optional<String> apiKey;
    private final HttpClientAgent client;
    private final long intervalMillis;
    private final long timeoutMillis;
    private volatile boolean closed;
    private volatile long timer = -1;
    /** The health to report to while the channel is out; null while it is in. Confined to the context. */
    private ChannelHealth probing;

    ChannelProber(Context context, ChannelConfig channel, Optional<String> apiKey, HttpClientAgent client,
            Duration interval, Duration timeout) {
        this.context = requireNonNull(context, "context");
        this.channel = requireNonNull(channel, "channel");
        this.origin = ChannelOrigin.of(channel.baseUrl());
        this.apiKey = requireNonNull(apiKey, "apiKey");
        this.client = requireNonNull(client, "client");
        this.intervalMillis = interval.toMillis();
        this.timeoutMillis = timeout.toMillis();
    }

    @Override
    public void wentOut(ChannelHealth health) {
        context.runOnContext(v -> {
            if (closed || probing != null) {
                return;
            }
            probing = health;
            scheduleProbe();
        });
    }

    private void scheduleProbe() {
        timer = context.owner().setTimer(intervalMillis, id -> probe());
    }

    private void probe() {
        if (closed) {
            return;
        }
        RequestOptions options = origin.request(channel.probePath())
                .setMethod(HttpMethod.GET)
                .setConnectTimeout(timeoutMillis)
                .setIdleTimeout(timeoutMillis)
                .putHeader(HttpHeaders.ACCEPT, "application/json");
        if (channel.speaks(Protocol.ANTHROPIC_MESSAGES) && !channel.speaks(Protocol.OPENAI_CHAT)) {
            apiKey.ifPresent(key -> options.putHeader("x-api-key", key));
            options.putHeader("anthropic-version", Protocol.ANTHROPIC_VERSION);
        } else {
            apiKey.ifPresent(key -> options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + key));
        }
        client.request(options)
                .compose(HttpClientRequest::send)
                .compose(response -> response.end().map(v -> response.statusCode()))
                .onComplete(this::probed);
    }

    private void probed(AsyncResult<Integer> status) {
        if (closed) {
            return;
        }
        // The path without its query, and only the failure's type: neither may carry a credential.
        String evidence = "GET " + channel.probePath().replaceFirst("\\?.*", "") + ": "
                + (status.succeeded() ? status.result() : status.cause().getClass().getSimpleName());
        if (status.succeeded() && status.result() / 100 == 2) {
            ChannelHealth health = probing;
            probing = null;
            health.probeSucceeded(evidence);
            return;
        }
        log.atDebug().addKeyValue("channel", channel.name()).addKeyValue("probe", evidence)
                .log("gateway channel probe failed; the channel stays out");
        scheduleProbe();
    }

    @Override
    public void close() {
        closed = true;
        context.owner().cancelTimer(timer);
    }
}
