package dev.gatehouse.server.gateway.relay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerTimingTest {

    @Test
    void milliseconds_withThreeDecimals() {
        assertThat(ResponsePump.serverTiming(0)).isEqualTo("gateway;dur=0.000");
        assertThat(ResponsePump.serverTiming(5_999)).isEqualTo("gateway;dur=0.005");
        assertThat(ResponsePump.serverTiming(27_000)).isEqualTo("gateway;dur=0.027");
        assertThat(ResponsePump.serverTiming(110_400)).isEqualTo("gateway;dur=0.110");
        assertThat(ResponsePump.serverTiming(1_234_567)).isEqualTo("gateway;dur=1.234");
        assertThat(ResponsePump.serverTiming(61_000_000_000L)).isEqualTo("gateway;dur=61000.000");
        assertThat(ResponsePump.serverTiming(-5)).isEqualTo("gateway;dur=0.000");
    }
}
