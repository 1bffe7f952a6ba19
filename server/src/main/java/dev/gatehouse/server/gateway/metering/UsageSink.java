package dev.gatehouse.server.gateway.metering;

/** Takes usage records; non-blocking. (ISSUE4 interface, owned by gw-meter; on merge keep gw-meter's version.) */
public interface UsageSink {
    void record(UsageRecord usage);
}
