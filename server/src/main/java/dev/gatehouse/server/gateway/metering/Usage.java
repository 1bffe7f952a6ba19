package dev.gatehouse.server.gateway.metering;

/**
 * Token counts of one response. (ISSUE4 interface, owned by gw-meter, which adds {@code fromJson};
 * on merge keep gw-meter's version.)
 */
public record Usage(long promptTokens, long completionTokens) {}
