package dev.gatehouse.server.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JwtSigningTest {

    @Test
    void tokenIds_sortAsTheirMintingTimes_andStayUniqueWithinOneMillisecond() {
        Instant earlier = Instant.parse("2026-12-06T18:00:00.001Z");
        Instant later = Instant.parse("2026-12-06T18:00:00.002Z");
        Set<String> sameMillisecond = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            sameMillisecond.add(JwtSigning.newTokenId(earlier));
        }
        String next = JwtSigning.newTokenId(later);

        assertThat(sameMillisecond).hasSize(10_000)
                .allMatch(id -> id.matches("01a24c834101[A-Za-z0-9_-]{22}"))
                .allMatch(id -> id.compareTo(next) < 0);
        assertThat(next).startsWith("01a24c834102");
    }
}
