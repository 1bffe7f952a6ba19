package dev.gatehouse.server.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Local sessions: every one may use the LLM gateway (DESIGN.md's default mapping), plus what is asked for. */
class LocalSessionTest {
    private static final URI ISSUER = URI.create("http://gatehouse.test");

    @Test
    void everyLocalSession_holdsLlmUse_besidesTheCapabilitiesAskedFor() {
        assertThat(LocalSession.request("alice", "acme", List.of(), List.of(), Duration.ofHours(1), ISSUER).claims())
                .containsEntry("capabilities", List.of("llm:use"));
        assertThat(LocalSession.request("alice", "acme", List.of(), List.of("org:admin", "llm:use"), Duration.ofHours(1),
                ISSUER).claims()).containsEntry("capabilities", List.of("org:admin", "llm:use"));
    }
}
