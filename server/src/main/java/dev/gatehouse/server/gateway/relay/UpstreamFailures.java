package dev.gatehouse.server.gateway.relay;

import dev.gatehouse.server.gateway.GatewayException;
import dev.gatehouse.server.gateway.channels.ChannelHealth;
import dev.gatehouse.server.gateway.metrics.UpstreamFailure;
import java.net.ConnectException;

/** How a channel's failure before the first byte reads to the client: OpenAI-shaped, never the upstream's own words. */
final class UpstreamFailures {
    private UpstreamFailures() {}

    static GatewayException channelsBusy() {
        return new GatewayException(503, "api_error", "channels_busy",
                "Every channel serving this model is at its connection limit; retry later.", null, 1);
    }

    static GatewayException channelsUnavailable() {
        return new GatewayException(503, "api_error", "channels_unavailable",
                "Every channel serving this model is failing; retry later.", null, 5);
    }

    static GatewayException firstByteTimeout() {
        return new GatewayException(504, "api_error", "upstream_timeout", "The upstream did not answer in time.");
    }

    static UpstreamFailure connectReason(Throwable cause) {
        return cause instanceof io.netty.channel.ConnectTimeoutException
                || cause.getClass().getSimpleName().contains("Timeout")
                ? UpstreamFailure.CONNECT_TIMEOUT : UpstreamFailure.CONNECT;
    }

    static GatewayException connectFailure(UpstreamFailure reason, Throwable cause) {
        if (reason == UpstreamFailure.CONNECT_TIMEOUT) {
            return new GatewayException(504, "api_error", "upstream_timeout", "Connecting to the upstream timed out.");
        }
        return new GatewayException(502, "api_error", "upstream_unavailable",
                cause instanceof ConnectException ? "The upstream refused the connection." : "The upstream could not be reached.");
    }

    /**
     * Why a response with {@code status} is not the client's to see and the request fails over: 429,
     * 5xx, 401/403. Only some of these count against the channel ({@link ChannelHealth#isChannelFailure}).
     * {@code null} when it is the client's to see.
     */
    static UpstreamFailure refusal(int status) {
        if (status < 500 && !ChannelHealth.isChannelFailure(status)) {
            return null;
        }
        if (status == 429) {
            return UpstreamFailure.STATUS_429;
        }
        return status >= 500 ? UpstreamFailure.STATUS_5XX : UpstreamFailure.AUTH_REFUSED;
    }

    static GatewayException statusFailure(UpstreamFailure refusal, int status, String retryAfter) {
        if (refusal == UpstreamFailure.STATUS_429) {
            return new GatewayException(503, "api_error", "upstream_rate_limited",
                    "Every upstream channel is rate limited; retry later.", null, retryAfterSeconds(retryAfter));
        }
        if (refusal == UpstreamFailure.AUTH_REFUSED) {
            return new GatewayException(502, "api_error", "upstream_auth_failed",
                    "The upstream refused the gateway's credentials.");
        }
        return new GatewayException(502, "api_error", "upstream_error", "The upstream failed (status " + status + ").");
    }

    /** A {@code Retry-After} in seconds, or -1 when absent or not a number of seconds. */
    private static long retryAfterSeconds(String retryAfter) {
        if (retryAfter == null) {
            return -1;
        }
        try {
            return Long.parseLong(retryAfter.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
