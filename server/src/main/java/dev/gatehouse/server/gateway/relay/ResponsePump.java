package dev.gatehouse.server.gateway.relay;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.GatewayConfig;
import dev.gatehouse.server.gateway.GatewayException;
import dev.gatehouse.server.gateway.channels.Channel;
import dev.gatehouse.server.gateway.metering.Outcome;
import dev.gatehouse.server.gateway.metering.StreamFormat;
import dev.gatehouse.server.gateway.metering.Usage;
import dev.gatehouse.server.gateway.metrics.ChannelMetrics;
import dev.gatehouse.server.gateway.metrics.UpstreamFailure;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pump stage: relays the chosen upstream response to the client through a {@link BodyTap},
 * ends the request in {@link Settlement} and the response through {@link ResponseEnd}.
 *
 * <ul>
 *   <li>The body is piped chunk by chunk as it arrives, never buffered whole (SSE keep-alive comments
 *       included), with backpressure: the upstream is paused while the client's write queue is full.
 *       An SSE body goes through the stream tap; a JSON body is tokenized as it passes, and for a
 *       non-streaming request written one chunk behind (the upstream's {@code Content-Length} is
 *       kept when it sent one).
 *   <li>A stream that runs past the completion allowance its budget left is cut there: it ends with
 *       an error event ({@code insufficient_quota}) and the upstream is cancelled.
 *   <li>An upstream error status the client is to see (a 4xx the gateway does not fail over on) is
 *       answered in OpenAI's error shape with the upstream's status and message ({@link
 *       UpstreamErrorBody}), whatever shape, if any, the upstream's body had.
 *       an error event ({@code insufficient_quota}; Anthropic's {@code rate_limit_error} on {@code
 *       /v1/messages}) and the upstream is cancelled.
 *   <li>A response of a channel serving the endpoint by translation is metered as chat completions
 *       and rewritten into the client's protocol ({@link TranslatedTap}); it is sent chunked.
 *   <li>An upstream silence longer than {@code gateway.idleTimeout} aborts both sides (504, counted
 *       against the channel); so does a client that reads nothing for that long (499, not the
 *       channel's fault). An upstream that breaks or falls silent mid-stream ends the client's
 *       stream with an error event in OpenAI's shape ({@code upstream_stream_broken}, {@code
 *       upstream_timeout}); before anything was sent the client gets that error as a 502 or 504;
 *       a JSON body broken mid-way ends with a reset (no valid JSON can follow).
 *   <li>{@code Server-Timing: gateway;dur=<ms>}: the gateway's own time — arrival to the first
 *       upstream send, plus upstream headers to our headers.
 * </ul>
 * Used on the request's event loop only.
 */
final class ResponsePump {
    private static final Logger log = LoggerFactory.getLogger(ResponsePump.class);

    private final LoopTimers timers;
    private final GatewayConfig config;
    private final ChannelMetrics metrics;
    private final UsageExtraction usage;
    private final Exchange exchange;
    private final Settlement settlement;
    private BodyTap tap;
    private boolean sse;
    /** The last two bytes sent to the client, to end a half-sent SSE event before an error event. */
    private int lastByte = '\n';
    private int byteBefore = '\n';
    private ScheduledFuture<?> idleTimer;
    private long lastActivityNanos;
    /** The upstream is paused until the client's write queue drains. */
    private boolean clientStalled;

    ResponsePump(LoopTimers timers, GatewayConfig config, ChannelMetrics metrics, UsageExtraction usage, Exchange exchange,
            Settlement settlement) {
        this.timers = requireNonNull(timers, "timers");
        this.config = requireNonNull(config, "config");
        this.metrics = requireNonNull(metrics, "metrics");
        this.usage = requireNonNull(usage, "usage");
        this.exchange = requireNonNull(exchange, "exchange");
        this.settlement = requireNonNull(settlement, "settlement");
    }

    /** What was delivered so far, should the request be aborted now. */
    Optional<Usage> delivered() {
        return tap == null ? Optional.empty() : tap.delivered();
    }

    void relay(Failover.Answer answer) {
        HttpClientResponse upstream = answer.response();
        Channel channel = answer.channel();
        long headersNanos = System.nanoTime();
        metrics.firstByte(channel, headersNanos - answer.sentNanos());
        ChatRequest request = exchange.request();
        HttpServerResponse out = exchange.ctx().response();
        String contentType = Optional.ofNullable(upstream.getHeader(HttpHeaders.CONTENT_TYPE)).orElse("application/json");
        sse = contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
        int status = upstream.statusCode();
        if (status >= 400) {
            relayError(answer, status, headersNanos);
            return;
        }
        boolean translated = request.translatedFor(channel);
        tap = tap(request, translated);
        out.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, contentType);
        String length = upstream.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (sse || length == null || translated) {
            out.setChunked(true);
        } else {
            out.putHeader(HttpHeaders.CONTENT_LENGTH, length);
        }
        if (sse) {
            out.putHeader(HttpHeaders.CACHE_CONTROL, "no-cache").putHeader("X-Accel-Buffering", "no");
        }
        out.putHeader("Server-Timing", serverTiming(
                (answer.firstSentNanos() - exchange.startNanos()) + (System.nanoTime() - headersNanos)));
        lastActivityNanos = System.nanoTime();
        armIdle(channel, upstream, config.idleTimeout().toNanos());
        upstream.handler(chunk -> {
            if (settlement.isDone()) {
                return;
            }
            lastActivityNanos = System.nanoTime();
            Buffer forward = tap.onChunk(chunk);
            if (tap.exhausted()) {
                cutAtAllowance(upstream, forward);
                return;
            }
            if (forward.length() > 0) {
                noteSent(forward);
                out.write(forward);
            }
            if (out.writeQueueFull()) {
                upstream.pause();
                clientStalled = true;
                out.drainHandler(v -> {
                    clientStalled = false;
                    lastActivityNanos = System.nanoTime();
                    upstream.resume();
                });
            }
        });
        upstream.exceptionHandler(e -> upstreamBroken(channel, e));
        answer.requestErrors().redirect(e -> upstreamBroken(channel, e));
        upstream.endHandler(v -> {
            if (settlement.isDone()) {
                return;
            }
            Buffer last = tap.onEnd();
            // A stream without a usage event (a channel with includeUsage off) is metered by what it delivered.
            Optional<Usage> used = sse ? tap.usage().or(tap::delivered) : tap.usage();
            CompletionStage<Void> recorded = settlement.finish(Outcome.COMPLETED, status, used);
            cancelIdle();
            ResponseEnd.after(recorded, out, last);
        });
        upstream.resume();
    }

    /**
     * An error the client is to see: its body (at most {@link UpstreamErrorBody#MAX_BYTES}) is read,
     * then answered in the client's protocol's shape. Metered as failed, without tokens.
     */
    private void relayError(Failover.Answer answer, int status, long headersNanos) {
        Channel channel = answer.channel();
        HttpClientResponse upstream = answer.response();
        Buffer body = Buffer.buffer();
        lastActivityNanos = System.nanoTime();
        armIdle(channel, upstream, config.idleTimeout().toNanos());
        upstream.handler(chunk -> {
            lastActivityNanos = System.nanoTime();
            int room = UpstreamErrorBody.MAX_BYTES - body.length();
            if (room > 0) {
                body.appendBuffer(chunk.length() <= room ? chunk : chunk.slice(0, room));
            }
        });
        upstream.exceptionHandler(e -> upstreamBroken(channel, e));
        answer.requestErrors().redirect(e -> upstreamBroken(channel, e));
        upstream.endHandler(v -> {
            if (settlement.isDone()) {
                return;
            }
            cancelIdle();
            settlement.finish(Outcome.FAILED, status, Optional.empty());
            exchange.ctx().response().putHeader("Server-Timing", serverTiming(
                    (answer.firstSentNanos() - exchange.startNanos()) + (System.nanoTime() - headersNanos)));
            UpstreamErrorBody.toClient(status, body, channel.apiKey())
                    .send(exchange.ctx(), exchange.endpoint().errorShape());
        });
        upstream.resume();
    }

    /**
     * Reads usage as the upstream speaks (chat completions when translated, then asking for usage
     * itself) and, when translated, rewrites what passes into the client's protocol.
     */
    private BodyTap tap(ChatRequest request, boolean translated) {
        Endpoint endpoint = exchange.endpoint();
        BodyTap metered = !sse ? usage.newResponse(!request.stream())
                : translated ? usage.newStream(StreamFormat.OPENAI_CHAT, true, request.estimatedPromptTokens(),
                        settlement.completionAllowance())
                : usage.newStream(endpoint.streamFormat(), request.clientAskedForUsage(), request.estimatedPromptTokens(),
                        settlement.completionAllowance());
        return translated ? new TranslatedTap(metered, endpoint.fromChat(sse, request.model())) : metered;
    }

    /**
     * The stream ran past what its budget left: what came before is delivered, then an error event in
     * the client's protocol, and the upstream is cancelled. Metered for what was delivered; not the
     * channel's fault.
     */
    private void cutAtAllowance(HttpClientResponse upstream, Buffer forward) {
        settlement.finish(Outcome.ABORTED, exchange.ctx().response().getStatusCode(), delivered());
        cancelIdle();
        upstream.request().reset();
        exchange.ctx().response().end(forward.appendBuffer(
                exchange.endpoint().budgetExhausted(settlement.completionAllowance())));
    }

    private void upstreamBroken(Channel channel, Throwable cause) {
        if (settlement.isDone()) {
            return;
        }
        log.atDebug().addKeyValue("channel", channel.name()).log("upstream broke mid-response: {}", cause.toString());
        metrics.attemptFailed(channel, UpstreamFailure.RESET_MID_STREAM);
        settlement.finish(Outcome.ABORTED, 502, delivered());
        cancelIdle();
        endWithError(new GatewayException(502, "api_error", "upstream_stream_broken",
                "The upstream's connection broke off mid-response; the response is incomplete."));
    }

    /**
     * Ends the client's response with {@code error}: as the whole answer when nothing was sent yet,
     * as a last SSE event (after ending a half-sent one) when a stream had begun; a JSON body begun
     * cannot carry it and is reset.
     */
    private void endWithError(GatewayException error) {
        HttpServerResponse out = exchange.ctx().response();
        if (out.closed()) {
            return;
        }
        if (!out.headWritten()) {
            error.send(exchange.ctx(), exchange.endpoint().errorShape());
        } else if (sse) {
            String end = lastByte != '\n' ? "\n\n" : byteBefore != '\n' ? "\n" : "";
            out.end(Buffer.buffer(end).appendBuffer(exchange.endpoint().streamError(error)));
        } else {
            out.reset();
        }
    }

    private void noteSent(Buffer forward) {
        int length = forward.length();
        byteBefore = length > 1 ? forward.getByte(length - 2) : lastByte;
        lastByte = forward.getByte(length - 1);
    }

    /**
     * One timer per response, not one per chunk: a chunk only notes the time, and the timer, when
     * it fires, re-arms itself for what is left of the silence allowed since that chunk. A silence
     * while the client is not reading (the upstream paused for backpressure) is the client's: the
     * response is aborted without blaming the channel.
     */
    private void armIdle(Channel channel, HttpClientResponse upstream, long delayNanos) {
        idleTimer = timers.schedule(delayNanos, () -> {
            if (settlement.isDone()) {
                return;
            }
            long left = config.idleTimeout().toNanos() - (System.nanoTime() - lastActivityNanos);
            if (left > 0) {
                armIdle(channel, upstream, left);
                return;
            }
            if (clientStalled) {
                log.atDebug().addKeyValue("channel", channel.name()).log("client stopped reading; response aborted");
                settlement.finish(Outcome.ABORTED, 499, delivered());
                upstream.request().reset();
                exchange.ctx().response().reset();
                return;
            }
            metrics.attemptFailed(channel, UpstreamFailure.IDLE_TIMEOUT);
            settlement.finish(Outcome.ABORTED, 504, delivered());
            upstream.request().reset();
            endWithError(new GatewayException(504, "api_error", "upstream_timeout", "The upstream fell silent for longer"
                    + " than gateway.idleTimeout mid-response; the response is incomplete."));
        });
    }

    /** Stops the idle timer once the request is settled (the client leaving is settled by {@link Relay}). */
    void cancelIdle() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    /** {@code gateway;dur=<ms with 3 decimals>}, without the cost of {@code String.format} per request. */
    static String serverTiming(long nanos) {
        long micros = Math.max(0, nanos / 1_000);
        long fraction = micros % 1_000;
        return "gateway;dur=" + micros / 1_000 + (fraction < 10 ? ".00" : fraction < 100 ? ".0" : ".") + fraction;
    }
}
