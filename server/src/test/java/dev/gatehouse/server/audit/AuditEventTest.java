package dev.gatehouse.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.audit.AuditEvent.Actor;
import dev.gatehouse.server.audit.AuditEvent.Outcome;
import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuditEventTest {

    @Test
    void ids_startWithTheMillisecondInTwelveHexDigits_soTheySortAsTheEvents() {
        AuditEvent first = event(Instant.parse("2026-12-06T18:00:00.001Z"));
        AuditEvent second = event(Instant.parse("2026-12-06T18:00:00.002Z"));

        assertThat(first.id()).matches("01a24c834101[0-9a-f]{16}");
        assertThat(second.id()).startsWith("01a24c834102").isGreaterThan(first.id());
        assertThat(event(Instant.EPOCH).id()).startsWith("000000000000");
    }

    private static AuditEvent event(Instant at) {
        return AuditEvent.of(at, Actor.ADMIN, Optional.empty(), AuditEvent.PAT_REVOKED, Optional.empty(),
                RequestOrigin.NONE, Outcome.SUCCESS, Map.of());
    }
}
