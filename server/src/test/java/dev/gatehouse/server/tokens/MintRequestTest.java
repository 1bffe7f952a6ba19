package dev.gatehouse.server.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.sdk.claims.TokenType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MintRequestTest {
    private static final Duration TTL = Duration.ofMinutes(5);

    @ParameterizedTest
    @ValueSource(strings = {"", "  "})
    void blankSubject_isRejected(String subject) {
        assertThatThrownBy(() -> new MintRequest(TokenType.PAT, subject, List.of(), TTL, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("subject: \"" + subject + "\" (expected: not blank)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PT0S", "PT-1S"})
    void nonPositiveTtl_isRejected(String ttl) {
        assertThatThrownBy(() -> new MintRequest(TokenType.PAT, "alice", List.of(), Duration.parse(ttl), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ttl: " + ttl + " (expected: > 0)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"iss", "sub", "aud", "iat", "exp", "jti", "typ"})
    void reservedClaim_isRejected_naming_it(String claim) {
        Map<String, Object> claims = Map.of("org_id", "acme", claim, "forged");

        assertThatThrownBy(() -> new MintRequest(TokenType.PAT, "alice", List.of(), TTL, claims))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("claims." + claim + ": reserved (expected: set by the minter, not by the request)");
    }

    @Test
    void blankAudienceEntry_isRejected() {
        assertThatThrownBy(() -> new MintRequest(TokenType.PAT, "alice", List.of("gateway", " "), TTL, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("audience[1]: \" \" (expected: not blank)");
    }

    @Test
    void nullArgument_isRejected_naming_it() {
        assertThatThrownBy(() -> new MintRequest(null, "alice", List.of(), TTL, Map.of()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("type");
    }

    @Test
    void collections_areCopied() {
        List<String> audience = new ArrayList<>(List.of("gateway"));
        Map<String, Object> claims = new HashMap<>(Map.of("org_id", "acme"));

        MintRequest request = new MintRequest(TokenType.PAT, "alice", audience, TTL, claims);
        audience.add("other");
        claims.put("user", "mallory");

        assertThat(request.audience()).containsExactly("gateway");
        assertThat(request.claims()).containsExactly(Map.entry("org_id", "acme"));
    }
}
