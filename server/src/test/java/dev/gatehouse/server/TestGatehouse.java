package dev.gatehouse.server;

import dev.gatehouse.server.config.ConfigLoader;
import dev.gatehouse.server.config.GatehouseConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Builds configurations for tests the way an operator would: environment overrides on the defaults. */
public final class TestGatehouse {
    public static final String ISSUER = "http://gatehouse.test";

    private TestGatehouse() {}

    /** Embedded defaults in {@code dataDir}, on a free port, plus {@code overrides} (env-style names). */
    public static GatehouseConfig config(Path dataDir, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("GATEHOUSE_DATA_DIR", dataDir.toString());
        env.put("GATEHOUSE_SERVER_PORT", "0");
        env.put("GATEHOUSE_TOKENS_ISSUER", ISSUER);
        env.put("GATEHOUSE_SERVER_SHUTDOWN_TIMEOUT", "2s");
        env.putAll(overrides);
        return ConfigLoader.load(null, env);
    }

    public static HttpResponse<String> get(URI uri, String... headers) {
        return send(HttpRequest.newBuilder(uri).headers(headers.length == 0 ? new String[] {"Accept", "*/*"} : headers)
                .GET().build());
    }

    public static HttpResponse<String> send(HttpRequest request) {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
