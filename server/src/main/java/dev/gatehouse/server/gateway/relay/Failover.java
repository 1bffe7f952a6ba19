package dev.gatehouse.server.gateway.relay;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.GatewayConfig;
import dev.gatehouse.server.gateway.GatewayException;
import dev.gatehouse.server.gateway.Protocol;
import dev.gatehouse.server.gateway.channels.Channel;
import dev.gatehouse.server.gateway.channels.ChannelHealth;
import dev.gatehouse.server.gateway.metering.Outcome;
import dev.gatehouse.server.gateway.metrics.ChannelMetrics;
import dev.gatehouse.server.gateway.metrics.UpstreamFailure;
import dev.gatehouse.server.http.RequestIds;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Future;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The send stage: tries the planned channels in turn until one answers with a response that is the
 * client's to see, and hands that response on. Everything here happens before the first byte
 * reaches the client, which is what makes failing over safe.
 *
 * <ul>
 *   <li>Upstream request: {@code POST <channel baseUrl><path>} with the channel's API key as bearer
 *       (never the caller's token), {@code Content-Type: application/json} and the request id; to a
 *       channel speaking Anthropic's Messages natively, the key as {@code x-api-key} with {@code
 *       anthropic-version} (the client's, else {@value Protocol#ANTHROPIC_VERSION}) and the client's
 *       {@code anthropic-beta}. A channel serving the endpoint by translation gets the chat body.
 *   <li>A connect error or timeout, a first-byte timeout ({@code gateway.firstByteTimeout}, run from
 *       when the request got its connection), 429, 5xx, and 401/403 (the channel's own key refused)
 *       move on to the next channel. All but a 500 (or another 5xx than 502/503/504) count against
 *       the channel ({@link ChannelHealth#isChannelFailure}): a 500 may be this caller's body, and
 *       must not take the channel out for everyone. A channel whose connections are all
 *       taken, or that gave no connection within {@code firstByteTimeout}, is skipped without
 *       counting against it ({@code channels_busy} when it was the last). Channels out of rotation
 *       are skipped.
 *   <li>When none is left, the last failure is the client's answer (502, 503 or 504; {@code
 *       channels_unavailable} when no channel was in), and the request is settled as failed.
 * </ul>
 * Used on the request's event loop only.
 */
final class Failover {
    private static final Logger log = LoggerFactory.getLogger(Failover.class);
    private static final String ANTHROPIC_VERSION_HEADER = "anthropic-version";
    private static final String ANTHROPIC_BETA_HEADER = "anthropic-beta";

    private final LoopTimers timers;
    private final GatewayConfig config;
    private final ChannelMetrics metrics;
    private final Exchange exchange;
    private final Settlement settlement;
    private final Consumer<Answer> onAnswer;
    private int next;
    private long firstSentNanos;
    private Attempt attempt;
    private GatewayException lastFailure;

    /** @param onAnswer takes the first usable response; the client has been sent nothing yet */
    Failover(LoopTimers timers, GatewayConfig config, ChannelMetrics metrics, Exchange exchange, Settlement settlement,
            Consumer<Answer> onAnswer) {
        this.timers = requireNonNull(timers, "timers");
        this.config = requireNonNull(config, "config");
        this.metrics = requireNonNull(metrics, "metrics");
        this.exchange = requireNonNull(exchange, "exchange");
        this.settlement = requireNonNull(settlement, "settlement");
        this.onAnswer = requireNonNull(onAnswer, "onAnswer");
    }

    /**
     * A usable response of {@code channel}.
     *
     * @param sentNanos when its request was started
     * @param firstSentNanos when the first channel's request was started (the gateway's own time ends there)
     * @param requestErrors where the upstream request's errors go: redirect them while relaying
     */
    record Answer(Channel channel, HttpClientResponse response, long sentNanos, long firstSentNanos,
            RequestErrors requestErrors) {}

    void start() {
        tryNext();
    }

    /** The client left: the attempt in flight, if any, is dropped and its upstream request reset. */
    void abandon() {
        if (attempt != null) {
            attempt.abandon();
        }
    }

    private void tryNext() {
        while (next < exchange.plan().size()) {
            Channel candidate = exchange.plan().get(next++);
            if (candidate.health().isIn()) {
                send(candidate);
                return;
            }
        }
        GatewayException failure = lastFailure != null ? lastFailure : UpstreamFailures.channelsUnavailable();
        settlement.finish(Outcome.FAILED, failure.status(), Optional.empty());
        failure.send(exchange.ctx(), exchange.endpoint().errorShape());
    }

    private void send(Channel target) {
        Attempt current = new Attempt(target);
        attempt = current;
        settlement.tried(target);
        ChatRequest request = exchange.request();
        RequestOptions options = target.origin().request(exchange.upstreamPath(target))
                .setMethod(HttpMethod.POST)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.ACCEPT, request.stream() ? "text/event-stream" : "application/json");
        if (exchange.endpoint().protocol() == Protocol.ANTHROPIC_MESSAGES && !request.translatedFor(target)) {
            anthropicHeaders(options, target);
        } else {
            target.apiKey().ifPresent(key -> options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + key));
        }
        if (exchange.requestId() != null) {
            options.putHeader(RequestIds.HEADER, exchange.requestId());
        }
        current.sentNanos = System.nanoTime();
        if (firstSentNanos == 0) {
            firstSentNanos = current.sentNanos;
        }
        current.timer = timers.schedule(config.firstByteTimeout().toNanos(), current::timedOut);
        target.client().request(options)
                .compose(upstream -> {
                    if (current.abandoned) {
                        upstream.reset();
                        return Future.failedFuture("abandoned");
                    }
                    current.request = upstream;
                    current.connectedNanos = System.nanoTime();
                    upstream.exceptionHandler(current.requestErrors);
                    return upstream.send(request.bodyFor(target.config()));
                })
                .onComplete(result -> {
                    if (current.abandoned) {
                        if (result.succeeded()) {
                            current.resetUpstream();
                        }
                        return;
                    }
                    current.timer.cancel(false);
                    if (result.cause() instanceof ConnectionPoolTooBusyException) {
                        current.failOver(UpstreamFailures.channelsBusy());
                    } else if (result.failed()) {
                        UpstreamFailure reason = UpstreamFailures.connectReason(result.cause());
                        current.fail(reason, UpstreamFailures.connectFailure(reason, result.cause()));
                    } else {
                        received(current, result.result());
                    }
                });
    }

    /** Anthropic's credentials and versioning: the channel's key as {@code x-api-key}; the client's version and betas kept. */
    private void anthropicHeaders(RequestOptions options, Channel target) {
        target.apiKey().ifPresent(key -> options.putHeader("x-api-key", key));
        String version = exchange.ctx().request().getHeader(ANTHROPIC_VERSION_HEADER);
        options.putHeader(ANTHROPIC_VERSION_HEADER, version != null ? version : Protocol.ANTHROPIC_VERSION);
        String beta = exchange.ctx().request().getHeader(ANTHROPIC_BETA_HEADER);
        if (beta != null) {
            options.putHeader(ANTHROPIC_BETA_HEADER, beta);
        }
    }

    private void received(Attempt current, HttpClientResponse response) {
        // A refused response is reset below; without a handler Vert.x logs that reset as an ERROR.
        response.exceptionHandler(e -> log.atDebug().log("upstream response dropped: {}", e.toString()));
        int status = response.statusCode();
        UpstreamFailure refusal = UpstreamFailures.refusal(status);
        if (refusal != null) {
            current.fail(refusal, UpstreamFailures.statusFailure(refusal, status, response.getHeader("Retry-After")),
                    ChannelHealth.isChannelFailure(status));
            return;
        }
        current.channel.health().success();
        onAnswer.accept(new Answer(current.channel, response, current.sentNanos, firstSentNanos,
                current.requestErrors));
    }

    /** One try of one channel. */
    private final class Attempt {
        final Channel channel;
        long sentNanos;
        /** When the request got its connection ({@code request != null} from then on). */
        long connectedNanos;
        ScheduledFuture<?> timer;
        HttpClientRequest request;
        /** Before a response is relayed, the request's errors show up as the failure of its result. */
        final RequestErrors requestErrors = new RequestErrors(
                e -> log.atDebug().log("upstream request failed: {}", e.toString()));
        boolean abandoned;

        Attempt(Channel channel) {
            this.channel = channel;
        }

        /** A failure of the channel before anything reached the client: count it against the channel and fail over. */
        void fail(UpstreamFailure reason, GatewayException failure) {
            fail(reason, failure, true);
        }

        /**
         * A failure before anything reached the client: count it in the metrics, against the channel's
         * health when {@code channelsFault}, and fail over.
         */
        void fail(UpstreamFailure reason, GatewayException failure, boolean channelsFault) {
            if (!abandoned) {
                if (channelsFault) {
                    channel.health().failure(reason.value());
                }
                metrics.attemptFailed(channel, reason);
            }
            failOver(failure);
        }

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
                failOver(UpstreamFailures.channelsBusy());
                return;
            }
            long left = config.firstByteTimeout().toNanos() - (System.nanoTime() - connectedNanos);
            if (left > 0) {
                timer = timers.schedule(left, this::timedOut);
                return;
            }
            fail(UpstreamFailure.FIRST_BYTE_TIMEOUT, UpstreamFailures.firstByteTimeout());
        }

        /** Moves on to the next planned channel (once per attempt). */
        void failOver(GatewayException failure) {
            if (abandoned) {
                return;
            }
            abandon();
            log.atDebug().addKeyValue("channel", channel.name()).addKeyValue("code", failure.code())
                    .log("channel failed before the first byte; failing over");
            lastFailure = failure;
            if (!settlement.isDone()) {
                tryNext();
            }
        }

        void abandon() {
            abandoned = true;
            if (timer != null) {
                timer.cancel(false);
            }
            resetUpstream();
        }

        void resetUpstream() {
            if (request != null) {
                request.reset();
            }
        }
    }
}
