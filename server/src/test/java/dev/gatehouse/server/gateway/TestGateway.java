package dev.gatehouse.server.gateway;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.gatehouse.server.testing.PrometheusScrape;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.tokens.MintRequest;
import dev.gatehouse.server.tokens.SigningTokenMinter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.concurrent.CompletableFuture;

/**
 * A real Gatehouse running the gateway on the given channels (the recording {@link TestMetering}),
 * with a PAT for the gateway, which may use every channel, and a client sending chat completions.
 */
final class TestGateway implements AutoCloseable {
    final TestMetering metering;
    private final Gatehouse gatehouse;
    private final GatehouseConfig config;
    private final String token;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private TestGateway(Gatehouse gatehouse, GatehouseConfig config, TestMetering metering) {
        this.gatehouse = gatehouse;
        this.metering = metering;
        this.config = config;
        this.token = pat("bob", "acme");
    }

    /** A personal access token for the gateway, valid for an hour, of {@code user} in {@code organization}. */
    String pat(String user, String organization) {
        return mint(TokenType.PAT, user, patClaims(organization));
    }

    /** A token for the gateway signed by this Gatehouse, valid for an hour, with {@code claims}. */
    String mint(TokenType type, String subject, Map<String, Object> claims) {
        return SigningTokenMinter.of(gatehouse.keyRing(), config.tokens(), Clock.systemUTC()).mint(new MintRequest(
                type, subject, List.of("gateway"), Duration.ofHours(1), claims)).token();
    }

    /** The claims of a PAT of {@code organization} that may call the gateway ({@code llm:use}). */
    static Map<String, Object> patClaims(String organization) {
        return Map.of("org_id", organization, "capabilities", List.of(GatewayCaller.LLM_USE));
    }

    /** The OpenAI SDK calling this gateway with {@code token}, without retries. */
    OpenAIClient sdk(String token) {
        return OpenAIOkHttpClient.builder().baseUrl(gatehouse.localUrl() + "/v1").apiKey(token).maxRetries(0).build();
    }

    /** The Anthropic SDK calling this gateway with {@code token} (sent as {@code x-api-key}), without retries. */
    AnthropicClient anthropic(String token) {
        return AnthropicOkHttpClient.builder().baseUrl(gatehouse.localUrl().toString()).apiKey(token).maxRetries(0).build();
    }

    /** The PAT this gateway's own requests use. */
    String token() {
        return token;
    }

    /** {@code POST path} with {@code body} and {@code headers} (name, value, ...), as a plain client sends it. */
    HttpResponse<String> post(String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(gatehouse.localUrl().resolve(path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).join();
    }

    /** @param overrides further configuration, environment-style ({@code GATEHOUSE_GATEWAY_...}) */
    static TestGateway start(Path dataDir, JsonArray channels, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(overrides);
        env.put("GATEHOUSE_GATEWAY_CHANNELS", channels.encode());
        GatehouseConfig config = TestGatehouse.config(dataDir, env);
        TestMetering metering = new TestMetering();
        return new TestGateway(Gatehouse.start(config, metering.parts()), config, metering);
    }

    /**
     * As {@link #start}, with {@code channels} read anew on every {@code POST /admin/channels/reload}
     * (a configuration with errors throws {@code ConfigException}, as a bad file would).
     */
    static TestGateway startReloadable(Path dataDir, Supplier<JsonArray> channels, Map<String, String> overrides) {
        Function<JsonArray, GatehouseConfig> configOf = current -> {
            Map<String, String> env = new HashMap<>(overrides);
            env.put("GATEHOUSE_GATEWAY_CHANNELS", current.encode());
            return TestGatehouse.config(dataDir, env);
        };
        GatehouseConfig config = configOf.apply(channels.get());
        TestMetering metering = new TestMetering();
        Gatehouse gatehouse = Gatehouse.builder(config).gatewayParts(metering.parts())
                .configSource(() -> configOf.apply(channels.get())).start();
        return new TestGateway(gatehouse, config, metering);
    }

    /** A request to an admin route with {@code secret}. */
    HttpResponse<String> admin(String method, String path, String secret) {
        return TestGatehouse.send(HttpRequest.newBuilder(gatehouse.localUrl().resolve(path))
                .header("Authorization", "Bearer " + secret)
                .method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    static JsonObject channel(String name, String provider, FakeUpstream upstream, String... models) {
        return new JsonObject().put("name", name).put("provider", provider).put("baseUrl", upstream.baseUrl())
                .put("models", new JsonArray(List.of(models)));
    }

    /** {@code POST /v1/chat/completions?provider=<provider>} for {@code model}. */
    HttpResponse<String> chat(String provider, String model) {
        return chatAsync(provider, model).join();
    }

    CompletableFuture<HttpResponse<String>> chatAsync(String provider, String model) {
        return client.sendAsync(HttpRequest.newBuilder(gatehouse.localUrl().resolve("/v1/chat/completions?provider=" + provider))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("model", model).encode()))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    java.net.URI url(String path) {
        return gatehouse.localUrl().resolve(path);
    }

    /** This Gatehouse's {@code /metrics}, parsed. */
    PrometheusScrape metrics() {
        return PrometheusScrape.parse(PrometheusScrape.fetchText(gatehouse.managementUrl()));
    }

    static String errorCode(HttpResponse<String> response) {
        return new JsonObject(response.body()).getJsonObject("error").getString("code");
    }

    @Override
    public void close() {
        gatehouse.close();
        client.close();
    }
}
