package dev.gatehouse.server.gateway.metering;

/** How a relayed request ended. (ISSUE4 interface, owned by gw-meter; on merge keep gw-meter's version.) */
public enum Outcome { COMPLETED, ABORTED, FAILED }
