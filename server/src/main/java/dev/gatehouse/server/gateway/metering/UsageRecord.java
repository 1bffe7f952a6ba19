package dev.gatehouse.server.gateway.metering;

import java.time.Instant;

/** One metered gateway request. (ISSUE4 interface, owned by gw-meter; on merge keep gw-meter's version.) */
public record UsageRecord(Instant at, String requestId, Caller caller, String channel, String model,
        long promptTokens, long completionTokens, Outcome outcome, int status, long durationMillis) {}
