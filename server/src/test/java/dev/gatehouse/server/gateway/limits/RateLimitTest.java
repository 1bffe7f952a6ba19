package dev.gatehouse.server.gateway.limits;

import dev.gatehouse.server.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.gatehouse.server.gateway.metering.Caller;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Per-minute request and token limits, kept in memory per replica. */
class RateLimitTest {
    private static final Caller A1 = new Caller("acme", "alice", null, "tok-1", "pat");
    private static final Caller A2 = new Caller("acme", "anna", null, "tok-2", "pat");
    private static final Caller G1 = new Caller("globex", "gus", null, "tok-3", "pat");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00.250Z"));

    @Test
    void noLimitsConfigured_everythingIsAdmitted_withoutTouchingAnyDatabase() throws Exception {
        GatewayLimiter limiter = GatewayLimiter.create(LimitsConfig.UNLIMITED, Optional.empty(), clock);

        assertThat(limiter.isBlocking()).isFalse();
        for (int i = 0; i < 10_000; i++) {
            assertThat(limiter.admit(A1, 1_000_000)).isSameAs(Reservation.NONE);
        }
    }

    @Test
    void tokenOverItsRequestsPerMinute_isRefused_withTheLimitName_andWhenTheOldestRequestLeavesTheWindow()
            throws Exception {
        GatewayLimiter limiter = limiter(new LimitsConfig(3, 0, 0, 0, 0, 0, 0, 0));
        limiter.admit(A1, 10);
        clock.advance(Duration.ofSeconds(20));
        limiter.admit(A1, 10);
        limiter.admit(A1, 10);

        LimitExceededException refused = assertThatExceptionOfType(LimitExceededException.class)
                .isThrownBy(() -> limiter.admit(A1, 10)).actual();

        assertThat(refused.limit()).isEqualTo("gateway.limits.tokenRequestsPerMinute");
        assertThat(refused.retryAfterSeconds()).as("the first request, at 10:00:00, leaves at 10:01:00")
                .isEqualTo(40);
        assertThat(refused.retryable()).isTrue();
        assertThat(refused.isBudget()).isFalse();
        assertThat(refused.getMessage()).isEqualTo("Rate limit reached (3 requests per minute for this token): retry in 40 s.");
        limiter.admit(A2, 10);

        clock.advance(Duration.ofSeconds(40));
        limiter.admit(A1, 10);
    }

    @Test
    void organizationOverItsRequestsPerMinute_isRefused_andTheTokenReservationIsReleased() throws Exception {
        GatewayLimiter limiter = limiter(new LimitsConfig(2, 0, 2, 0, 0, 0, 0, 0));
        limiter.admit(A1, 1);
        limiter.admit(A2, 1);

        LimitExceededException refused = assertThatExceptionOfType(LimitExceededException.class)
                .isThrownBy(() -> limiter.admit(A1, 1)).actual();

        assertThat(refused.limit()).isEqualTo("gateway.limits.orgRequestsPerMinute");
        limiter.admit(G1, 1);
        clock.advance(Duration.ofSeconds(60));
        limiter.admit(A1, 1);
        limiter.admit(A1, 1);
        assertThat(assertThatExceptionOfType(LimitExceededException.class).isThrownBy(() -> limiter.admit(A1, 1))
                .actual().limit())
                .as("the refused request did not count against the token: it can make 2 again, then not a third")
                .isEqualTo("gateway.limits.tokenRequestsPerMinute");
    }

    @Test
    void tokensPerMinute_reserveTheEstimate_andSettlingReplacesItWithTheActualCount() throws Exception {
        GatewayLimiter limiter = limiter(new LimitsConfig(0, 1_000, 0, 0, 0, 0, 0, 0));
        Reservation big = limiter.admit(A1, 900);

        LimitExceededException refused = assertThatExceptionOfType(LimitExceededException.class)
                .isThrownBy(() -> limiter.admit(A1, 200)).actual();
        assertThat(refused.limit()).isEqualTo("gateway.limits.tokenTokensPerMinute");
        assertThat(refused.retryAfterSeconds()).isEqualTo(60);

        big.settle(100);
        big.settle(0);
        limiter.admit(A1, 800).settle(800);
        assertThatExceptionOfType(LimitExceededException.class).isThrownBy(() -> limiter.admit(A1, 200));
    }

    @Test
    void organizationTokensPerMinute_countEveryTokenOfTheOrganization_andUsageBeyondTheEstimate() throws Exception {
        GatewayLimiter limiter = limiter(new LimitsConfig(0, 0, 0, 500, 0, 0, 0, 0));
        limiter.admit(A1, 10).settle(450);

        LimitExceededException refused = assertThatExceptionOfType(LimitExceededException.class)
                .isThrownBy(() -> limiter.admit(A2, 100)).actual();

        assertThat(refused.limit()).isEqualTo("gateway.limits.orgTokensPerMinute");
        assertThat(refused.getMessage()).contains("500 tokens per minute for this organization");
        limiter.admit(G1, 100);
        limiter.admit(A2, 50);
    }

    @Test
    void aSingleRequestLargerThanTheTokensPerMinute_isAdmittedOnlyIntoAnEmptyWindow() throws Exception {
        GatewayLimiter limiter = limiter(new LimitsConfig(0, 100, 0, 0, 0, 0, 0, 0));

        limiter.admit(A1, 5_000);

        assertThatExceptionOfType(LimitExceededException.class).isThrownBy(() -> limiter.admit(A1, 1));
        clock.advance(Duration.ofSeconds(60));
        limiter.admit(A1, 1);
    }

    @Test
    void aFailedRequestSettledWithZero_givesItsTokensBack_butStillCountsAsARequest() throws Exception {
        GatewayLimiter limiter = limiter(new LimitsConfig(2, 100, 0, 0, 0, 0, 0, 0));
        limiter.admit(A1, 100).settle(0);

        limiter.admit(A1, 100);

        assertThat(assertThatExceptionOfType(LimitExceededException.class).isThrownBy(() -> limiter.admit(A1, 0))
                .actual().limit()).isEqualTo("gateway.limits.tokenRequestsPerMinute");
    }

    @Test
    void slidingWindow_freesCapacitySecondBySecond() {
        RateWindow window = new RateWindow();
        long t = Instant.parse("2026-03-01T10:00:00Z").toEpochMilli();
        for (int second = 0; second < 60; second++) {
            assertThat(window.tryAcquire(1, 60, t + second * 1000L)).isZero();
        }

        assertThat(window.tryAcquire(1, 60, t + 59_500)).isEqualTo(500);
        assertThat(window.tryAcquire(1, 60, t + 60_000)).isZero();
        assertThat(window.tryAcquire(2, 60, t + 60_000)).isEqualTo(2_000);
        assertThat(window.usedAt(t + 60_000)).isEqualTo(60);
        assertThat(window.isIdle(t + 119_999)).isFalse();
        assertThat(window.isIdle(t + 120_000)).isTrue();
    }

    private GatewayLimiter limiter(LimitsConfig config) {
        GatewayLimiter limiter = GatewayLimiter.create(config, Optional.empty(), clock);
        assertThat(limiter.isBlocking()).isFalse();
        return limiter;
    }
}
