package dev.gatehouse.server.gateway.metering;

/**
 * Who made a gateway request, as metered and limited. (ISSUE4 interface, owned by gw-meter; this
 * copy lets gw-core compile until the two branches merge — on merge keep gw-meter's version.)
 */
public record Caller(String organization, String user, String sandbox, String tokenId, String tokenType) {}
