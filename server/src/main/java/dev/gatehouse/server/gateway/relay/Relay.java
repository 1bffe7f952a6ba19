package dev.gatehouse.server.gateway.relay;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.GatewayCaller;
import dev.gatehouse.server.gateway.GatewayConfig;
import dev.gatehouse.server.gateway.GatewayException;
import dev.gatehouse.server.gateway.channels.Channel;
import dev.gatehouse.server.gateway.channels.ChannelHealth;
import dev.gatehouse.server.gateway.limits.Reservation;
import dev.gatehouse.server.gateway.metering.Outcome;
import dev.gatehouse.server.gateway.metering.ResponseUsage;
import dev.gatehouse.server.gateway.metering.Usage;
import dev.gatehouse.server.gateway.metering.UsageRecord;
import dev.gatehouse.server.gateway.metering.UsageSink;
import dev.gatehouse.server.gateway.metrics.ChannelMetrics;
import dev.gatehouse.server.gateway.metrics.UpstreamFailure;
import dev.gatehouse.server.http.RequestIds;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;
import java.net.ConnectException;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forward and meter stages: sends one request to the planned channels in turn and relays the
 * first usable response.
 *
 * <ul>
 *   <li>Upstream request: {@code POST <channel baseUrl><path>} with the channel's API key as bearer
 *       (never the caller's token), {@code Content-Type: application/json} and the request id.
 *   <li>Failover: a connect error or timeout, a first-byte timeout ({@code gateway.firstByteTimeout}),
 *       429, 5xx, and 401/403 (the channel's own key refused) count as a channel failure and move on
 *       to the next planned channel — always before anything was sent to the client. When every
 *       channel failed the client gets 502 (connect error, 5xx, key refused), 503 (429) or 504
 *       (timeout), OpenAI-shaped. Other upstream 4xx are the caller's and are relayed as they are.
 *       A channel whose connections are all taken ({@code gateway.maxConnectionsPerChannel}, {@code
 *       gateway.maxWaitingPerChannel}), or that gave no connection within {@code firstByteTimeout}, is
 *       skipped without counting as a failure; when it was the last one, the client gets 503 {@code
 *       channels_busy}. The first-byte timeout runs from when the request got its connection.
 *   <li>Relay: the upstream body is piped chunk by chunk as it arrives, never buffered whole (SSE
 *       keep-alive comments included), with backpressure (the upstream is paused while the client's
 *       write queue is full). An SSE body passes through the {@link UsageExtraction.StreamTap} and every
 *       chunk is written as it arrives; a JSON body is tokenized as it passes ({@code ResponseUsage}),
 *       and for a non-streaming request written one chunk behind, so that a body arriving in one piece
 *       leaves in one write together with its end (the upstream's {@code Content-Length} is kept when it
 *       sent one). An upstream silence longer than {@code gateway.idleTimeout} aborts both sides (504,
 *       an upstream error); so does a client that reads nothing for that long (499, not the channel's
 *       fault) or goes away, which resets the upstream request (its connection closes).
 *   <li>Meter: exactly one {@link UsageRecord} per request — COMPLETED, ABORTED (client gone,
 *       upstream reset or idle mid-body) or FAILED (no usable response, upstream error status) —
 *       and the limiter's reservation settled (0 when nothing was served); the {@link ChannelMetrics}
 *       of the last channel tried, and an upstream error for every failed try.
 *   <li>{@code Server-Timing: gateway;dur=<ms>}: the gateway's own time — arrival to the first
 *       upstream send, plus upstream headers to our headers.
 * </ul>
 * Runs entirely on the request's event loop; never blocks. Thread-safe (per-request state lives in
 * one {@code Exchange}).
 */
public final class Relay {
    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    private final Vertx vertx;
    private final GatewayConfig config;
    private final UsageExtraction usage;
    private final UsageSink sink;
    private final ChannelMetrics metrics;
    private final Clock clock;

    public Relay(Vertx vertx, GatewayConfig config, UsageExtraction usage, UsageSink sink, ChannelMetrics metrics,
            Clock clock) {
        this.vertx = requireNonNull(vertx, "vertx");
        this.config = requireNonNull(config, "config");
        this.usage = requireNonNull(usage, "usage");
        this.sink = requireNonNull(sink, "sink");
        this.metrics = requireNonNull(metrics, "metrics");
        this.clock = requireNonNull(clock, "clock");
    }

    /** Forwards {@code request} to {@code plan} (best first); answers the client and meters in every case. */
    void forward(RoutingContext ctx, GatewayCaller caller, ChatRequest request, String path, List<Channel> plan,
            Reservation reservation, long startNanos) {
        new Exchange(ctx, caller, request, path, plan, reservation, startNanos).start();
    }

    private final class Exchange {
        private final RoutingContext ctx;
        private final GatewayCaller caller;
        private final ChatRequest request;
        private final String path;
        private final List<Channel> plan;
        private final Reservation reservation;
        private final long startNanos;
        private final Buffer upstreamBody;
        private final boolean clientAskedForUsage;
        private int next;
        private long sentNanos;
        private Attempt attempt;
        private GatewayException lastFailure;
        private String channel = "";
        private boolean finished;
        private long idleTimer = -1;
        private long lastActivityNanos;

        Exchange(RoutingContext ctx, GatewayCaller caller, ChatRequest request, String path, List<Channel> plan,
                Reservation reservation, long startNanos) {
            this.ctx = ctx;
            this.caller = caller;
            this.request = request;
            this.path = path;
            this.plan = plan;
            this.reservation = reservation;
            this.startNanos = startNanos;
            if (request.stream()) {
                UsageExtraction.Rewritten rewritten = usage.forStreaming(request.body());
                upstreamBody = rewritten.body();
                clientAskedForUsage = rewritten.clientAskedForUsage();
            } else {
                upstreamBody = request.body();
                clientAskedForUsage = true;
            }
        }

        void start() {
            ctx.response().closeHandler(v -> clientGone());
            ctx.response().exceptionHandler(e -> clientGone());
            tryNext();
        }

        private void tryNext() {
            while (next < plan.size()) {
                Channel candidate = plan.get(next++);
                if (candidate.health().isIn()) {
                    send(candidate);
                    return;
                }
            }
            GatewayException failure = lastFailure != null ? lastFailure : new GatewayException(503, "api_error",
                    "channels_unavailable", "Every channel serving this model is failing; retry later.", null, 5);
            finish(Outcome.FAILED, failure.status(), Optional.empty());
            failure.send(ctx);
        }

        private void send(Channel target) {
            Attempt current = new Attempt(target);
            attempt = current;
            channel = target.name();
            RequestOptions options = new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setAbsoluteURI(target.config().baseUrlWithoutSlash() + path)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.ACCEPT, request.stream() ? "text/event-stream" : "application/json");
            target.apiKey().ifPresent(key -> options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + key));
            String requestId = RequestIds.get(ctx);
            if (requestId != null) {
                options.putHeader(RequestIds.HEADER, requestId);
            }
            current.sentNanos = System.nanoTime();
            if (sentNanos == 0) {
                sentNanos = current.sentNanos;
            }
            current.timer = vertx.setTimer(config.firstByteTimeout().toMillis(), id -> current.timedOut());
            target.client().request(options)
                    .compose(upstream -> {
                        if (current.abandoned) {
                            upstream.reset();
                            return io.vertx.core.Future.failedFuture("abandoned");
                        }
                        current.request = upstream;
                        current.connectedNanos = System.nanoTime();
                        upstream.exceptionHandler(e -> {
                            if (current.onBroken != null) {
                                current.onBroken.handle(e);
                            }
                        });
                        return upstream.send(upstreamBody);
                    })
                    .onComplete(result -> {
                        if (current.abandoned) {
                            if (result.succeeded()) {
                                current.resetUpstream();
                            }
                            return;
                        }
                        vertx.cancelTimer(current.timer);
                        if (result.cause() instanceof ConnectionPoolTooBusyException) {
                            current.failOver(channelsBusy());
                        } else if (result.failed()) {
                            UpstreamFailure reason = isTimeout(result.cause())
                                    ? UpstreamFailure.CONNECT_TIMEOUT : UpstreamFailure.CONNECT;
                            current.fail(reason, connectFailure(reason, result.cause()));
                        } else {
                            received(current, result.result());
                        }
                    });
        }

        private void received(Attempt current, HttpClientResponse response) {
            // A refused or unwanted response is reset below; without a handler Vert.x logs that reset as an ERROR.
            response.exceptionHandler(e -> log.atDebug().log("upstream response dropped: {}", e.toString()));
            int status = response.statusCode();
            UpstreamFailure refusal = refusal(status);
            if (refusal != null) {
                current.fail(refusal, statusFailure(refusal, status, response.getHeader("Retry-After")));
                return;
            }
            current.channel.health().success();
            relay(current, response);
        }

        private void relay(Attempt current, HttpClientResponse upstream) {
            long headersNanos = System.nanoTime();
            metrics.firstByte(current.channel, headersNanos - current.sentNanos);
            HttpServerResponse out = ctx.response();
            String contentType = Optional.ofNullable(upstream.getHeader(HttpHeaders.CONTENT_TYPE)).orElse("application/json");
            boolean sse = contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
            UsageExtraction.StreamTap tap = sse ? usage.newStream(clientAskedForUsage, request.estimatedPromptTokens()) : null;
            current.tap = tap;
            ResponseUsage json = sse ? null : usage.newResponse();
            // A whole JSON body is written one chunk late so that a one-chunk body leaves with its end.
            boolean holdBack = !sse && !request.stream();
            int status = upstream.statusCode();
            out.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, contentType);
            String length = upstream.getHeader(HttpHeaders.CONTENT_LENGTH);
            if (sse || length == null) {
                out.setChunked(true);
            } else {
                out.putHeader(HttpHeaders.CONTENT_LENGTH, length);
            }
            if (sse) {
                out.putHeader(HttpHeaders.CACHE_CONTROL, "no-cache").putHeader("X-Accel-Buffering", "no");
            }
            out.putHeader("Server-Timing", serverTiming((sentNanos - startNanos) + (System.nanoTime() - headersNanos)));
            lastActivityNanos = System.nanoTime();
            armIdle(current, config.idleTimeout().toNanos());
            upstream.handler(chunk -> {
                if (finished) {
                    return;
                }
                lastActivityNanos = System.nanoTime();
                if (tap != null) {
                    Buffer forward = tap.onChunk(chunk);
                    if (forward.length() > 0) {
                        out.write(forward);
                    }
                } else if (holdBack) {
                    json.onChunk(chunk);
                    if (current.held != null) {
                        out.write(current.held);
                    }
                    current.held = chunk;
                } else {
                    json.onChunk(chunk);
                    out.write(chunk);
                }
                if (out.writeQueueFull()) {
                    upstream.pause();
                    current.clientStalled = true;
                    out.drainHandler(v -> {
                        current.clientStalled = false;
                        lastActivityNanos = System.nanoTime();
                        upstream.resume();
                    });
                }
            });
            upstream.exceptionHandler(e -> upstreamBroken(current, tap, e));
            current.onBroken = e -> upstreamBroken(current, tap, e);
            upstream.endHandler(v -> {
                if (finished) {
                    return;
                }
                Buffer last = tap != null ? tap.onEnd() : current.held;
                Optional<Usage> used = tap != null ? tap.usage() : json.usage();
                finish(status < 400 ? Outcome.COMPLETED : Outcome.FAILED, status, used);
                if (last != null && last.length() > 0) {
                    out.end(last);
                } else {
                    out.end();
                }
            });
            upstream.resume();
        }

        private void upstreamBroken(Attempt current, UsageExtraction.StreamTap tap, Throwable cause) {
            if (finished) {
                return;
            }
            log.atDebug().addKeyValue("channel", channel).log("upstream broke mid-response: {}", cause.toString());
            metrics.attemptFailed(current.channel, UpstreamFailure.RESET_MID_STREAM);
            finish(Outcome.ABORTED, 502, delivered(current));
            ctx.response().reset();
        }

        /**
         * One timer per response, not one per chunk: a chunk only notes the time, and the timer,
         * when it fires, re-arms itself for what is left of the silence allowed since that chunk.
         * A silence while the client is not reading (the upstream paused for backpressure) is the
         * client's: the response is aborted without blaming the channel.
         */
        private void armIdle(Attempt current, long delayNanos) {
            idleTimer = vertx.setTimer(ceilMillis(delayNanos), id -> {
                if (finished) {
                    return;
                }
                long left = config.idleTimeout().toNanos() - (System.nanoTime() - lastActivityNanos);
                if (left > 0) {
                    armIdle(current, left);
                    return;
                }
                if (current.clientStalled) {
                    log.atDebug().addKeyValue("channel", channel).log("client stopped reading; response aborted");
                    finish(Outcome.ABORTED, 499, delivered(current));
                } else {
                    metrics.attemptFailed(current.channel, UpstreamFailure.IDLE_TIMEOUT);
                    finish(Outcome.ABORTED, 504, delivered(current));
                }
                current.resetUpstream();
                ctx.response().reset();
            });
        }

        /** What an aborted response delivered: for a stream, its usage or an estimate; else unknown. */
        private static Optional<Usage> delivered(Attempt current) {
            return current.tap == null ? Optional.empty() : Optional.of(current.tap.deliveredUsage());
        }

        private void clientGone() {
            if (finished) {
                return;
            }
            Attempt current = attempt;
            finish(Outcome.ABORTED, 499, current == null ? Optional.empty() : delivered(current));
            if (current != null) {
                current.abandoned = true;
                vertx.cancelTimer(current.timer);
                current.resetUpstream();
            }
        }

        private void finish(Outcome outcome, int status, Optional<Usage> used) {
            if (finished) {
                return;
            }
            finished = true;
            if (idleTimer >= 0) {
                vertx.cancelTimer(idleTimer);
            }
            long durationNanos = System.nanoTime() - startNanos;
            long prompt = used.map(Usage::promptTokens).orElse(0L);
            long completion = used.map(Usage::completionTokens).orElse(0L);
            long actual = used.isPresent() ? prompt + completion
                    : outcome == Outcome.COMPLETED ? request.estimatedTokens() : 0;
            try {
                reservation.settle(actual);
                sink.record(new UsageRecord(clock.instant(), RequestIds.get(ctx), caller.meter(), channel,
                        request.model(), prompt, completion, outcome, status, durationNanos / 1_000_000));
                if (attempt != null) {
                    metrics.finished(attempt.channel, request.model(), outcome, status, prompt, completion,
                            durationNanos);
                }
            } catch (RuntimeException e) {
                log.atWarn().setCause(e).log("metering a gateway request failed");
            }
        }

        /** One try of one channel. */
        private final class Attempt {
            final Channel channel;
            long sentNanos;
            /** When the request got its connection (request != null from then on). */
            long connectedNanos;
            long timer = -1;
            HttpClientRequest request;
            io.vertx.core.Handler<Throwable> onBroken;
            boolean abandoned;
            UsageExtraction.StreamTap tap;
            /** A JSON body's latest chunk, written when the next one arrives or with the end. */
            Buffer held;
            /** The upstream is paused until the client's write queue drains. */
            boolean clientStalled;

            Attempt(Channel channel) {
                this.channel = channel;
            }

            /** A failure before anything reached the client: count it against the channel and fail over. */
            void fail(UpstreamFailure reason, GatewayException failure) {
                if (!abandoned) {
                    channel.health().failure(reason.value());
                    metrics.attemptFailed(channel, reason);
                }
                failOver(failure);
            }

            /** Moves on to the next planned channel (once per attempt); {@link #fail} also counts it against the channel. */
            /**
             * The first-byte timer fired. Without a connection yet, the request waited for the
             * channel's pool (or a slow connect): busy, not failing. Otherwise it re-arms for what is
             * left of {@code firstByteTimeout} since the request got its connection, then fails.
             */
            void timedOut() {
                if (abandoned) {
                    return;
                }
                if (request == null) {
                    failOver(channelsBusy());
                    return;
                }
                long left = config.firstByteTimeout().toNanos() - (System.nanoTime() - connectedNanos);
                if (left > 0) {
                    timer = vertx.setTimer(ceilMillis(left), id -> timedOut());
                    return;
                }
                fail(UpstreamFailure.FIRST_BYTE_TIMEOUT,
                        new GatewayException(504, "api_error", "upstream_timeout", "The upstream did not answer in time."));
            }

            void failOver(GatewayException failure) {
                if (abandoned) {
                    return;
                }
                abandoned = true;
                vertx.cancelTimer(timer);
                resetUpstream();
                log.atDebug().addKeyValue("channel", channel.name()).addKeyValue("code", failure.code())
                        .log("channel failed before the first byte; failing over");
                lastFailure = failure;
                if (!finished) {
                    tryNext();
                }
            }

            void resetUpstream() {
                if (request != null) {
                    request.reset();
                }
            }
        }
    }

    /** A timer delay covering {@code nanos}: rounded up, at least 1 ms (Vert.x's minimum). */
    private static long ceilMillis(long nanos) {
        return Math.max(1, (nanos + 999_999) / 1_000_000);
    }

    private static GatewayException channelsBusy() {
        return new GatewayException(503, "api_error", "channels_busy",
                "Every channel serving this model is at its connection limit; retry later.", null, 1);
    }

    /** {@code gateway;dur=<ms with 3 decimals>}, without the cost of {@code String.format} per request. */
    static String serverTiming(long nanos) {
        long micros = Math.max(0, nanos / 1_000);
        long fraction = micros % 1_000;
        return "gateway;dur=" + micros / 1_000 + (fraction < 10 ? ".00" : fraction < 100 ? ".0" : ".") + fraction;
    }

    private static boolean isTimeout(Throwable cause) {
        return cause instanceof io.netty.channel.ConnectTimeoutException
                || cause.getClass().getSimpleName().contains("Timeout");
    }

    private static GatewayException connectFailure(UpstreamFailure reason, Throwable cause) {
        if (reason == UpstreamFailure.CONNECT_TIMEOUT) {
            return new GatewayException(504, "api_error", "upstream_timeout", "Connecting to the upstream timed out.");
        }
        return new GatewayException(502, "api_error", "upstream_unavailable",
                cause instanceof ConnectException ? "The upstream refused the connection." : "The upstream could not be reached.");
    }

    /**
     * Why a response with {@code status} is the channel's failure ({@link ChannelHealth#isChannelFailure}), or
     * {@code null} when it is the client's to see.
     */
    private static UpstreamFailure refusal(int status) {
        if (!ChannelHealth.isChannelFailure(status)) {
            return null;
        }
        if (status == 429) {
            return UpstreamFailure.STATUS_429;
        }
        return status >= 500 ? UpstreamFailure.STATUS_5XX : UpstreamFailure.AUTH_REFUSED;
    }

    private static GatewayException statusFailure(UpstreamFailure refusal, int status, String retryAfter) {
        if (refusal == UpstreamFailure.STATUS_429) {
            long seconds = -1;
            try {
                seconds = retryAfter == null ? -1 : Long.parseLong(retryAfter.trim());
            } catch (NumberFormatException e) {
                seconds = -1;
            }
            return new GatewayException(503, "api_error", "upstream_rate_limited",
                    "Every upstream channel is rate limited; retry later.", null, seconds);
        }
        if (refusal == UpstreamFailure.AUTH_REFUSED) {
            return new GatewayException(502, "api_error", "upstream_auth_failed",
                    "The upstream refused the gateway's credentials.");
        }
        return new GatewayException(502, "api_error", "upstream_error", "The upstream failed (status " + status + ").");
    }
}
