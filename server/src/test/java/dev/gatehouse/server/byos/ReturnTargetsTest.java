package dev.gatehouse.server.byos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.server.http.ApiException;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReturnTargetsTest {
    private static final Optional<URI> CONSOLE = Optional.of(URI.create("https://console.example/app"));

    @ParameterizedTest
    @ValueSource(strings = {"https://console.example/app", "https://console.example/app/settings?tab=byos",
            "HTTPS://CONSOLE.EXAMPLE:443/app/x", "https://console.example/app/./x"})
    void underTheConsole_isAllowed(String target) {
        assertThat(ReturnTargets.check(CONSOLE, target).toString()).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://evil.example/app", "https://console.example.evil.example/app",
            "http://console.example/app", "https://console.example:8443/app", "https://console.example/application",
            "https://console.example/other", "https://console.example/app/../admin", "//evil.example/app",
            "/app/settings", "https://user@console.example/app", "https://console.example/app#x", "javascript:alert(1)",
            "https://console.example/app/%2e%2e/admin", "https://console.example/app/%2E%2E%2Fadmin",
            "https://console.example/app/x y", "https://console.example/app?outcome=connected",
            "https://console.example/app?tab=1&BYOS=x", "https://console.example/app?error"})
    void anythingElse_isRefused(String target) {
        assertThatThrownBy(() -> ReturnTargets.check(CONSOLE, target))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("redirect_not_allowed");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://console.example/app"})
    void withoutAConsoleUrl_nothingIsAllowed(String target) {
        assertThatThrownBy(() -> ReturnTargets.check(Optional.empty(), target))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("byos.consoleUrl is not configured");
    }
}
