package dev.gatehouse.server.gateway.channels;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.RequestOptions;
import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelOriginTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "http://127.0.0.1:8080/v1",
            "http://127.0.0.1:8080/v1/",
            "https://api.example.com/v1",
            "http://upstream.internal/compatible-mode/v1",
            "HTTPS://Upstream.Example:8443/a%20b/v1",
            "https://user:secret@api.example.com/v1",
            "http://[::1]:9000",
            "http://[::1]:9000/",
            "https://api.example.com"})
    void sendsTheRequestWhereTheAbsoluteUrlWould(String baseUrl) {
        for (String path : new String[] {"/chat/completions", "/models?limit=1"}) {
            assertSameTarget(baseUrl, path);
        }
    }

    private static void assertSameTarget(String baseUrl, String path) {
        String withoutSlash = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        RequestOptions expected = new RequestOptions().setAbsoluteURI(withoutSlash + path);

        RequestOptions actual = ChannelOrigin.of(URI.create(baseUrl)).request(path);

        assertThat(actual.getHost()).isEqualTo(expected.getHost());
        assertThat(actual.getPort()).isEqualTo(expected.getPort());
        assertThat(actual.isSsl()).isEqualTo(expected.isSsl());
        assertThat(actual.getURI()).isEqualTo(expected.getURI());
    }
}
