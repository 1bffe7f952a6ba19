package dev.gatehouse.runtime;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SandboxRuntimeTest {
    private static final String TOKEN = "sk-sandbox-runtime";
    private static final String CHAT = "{\"model\":\"qwen3\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String COMPLETION = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[]}";

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private FakeGateway gateway;
    private SandboxRuntime runtime;

    @BeforeEach
    void start() throws IOException {
        gateway = FakeGateway.start();
        runtime = startRuntime(gateway.baseUrl(), null);
    }

    @AfterEach
    void stop() {
        runtime.close();
        gateway.close();
        client.close();
    }

    @Test
    void healthz_answersOk_withoutCallingTheGateway() throws Exception {
        HttpResponse<String> response = get("/healthz");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body()).isEqualTo("{\"status\":\"ok\",\"llm\":\"gateway\"}");
        assertThat(gateway.requests()).isEmpty();
    }

    @Test
    void healthz_namesTheDefaultModel_whenConfigured() throws Exception {
        try (SandboxRuntime withModel = startRuntime(gateway.baseUrl(), "qwen3:8b \"fast\"")) {
            HttpResponse<String> response = client.send(request(withModel, "/healthz").build(), BodyHandlers.ofString());

            assertThat(response.body())
                    .isEqualTo("{\"status\":\"ok\",\"llm\":\"gateway\",\"default_model\":\"qwen3:8b \\\"fast\\\"\"}");
        }
    }

    @Test
    void chatCompletion_isRelayedWithStatusContentTypeAndBody() throws Exception {
        gateway.respondWith(FakeGateway.json(200, COMPLETION));

        HttpResponse<String> response = post("/v1/chat/completions", CHAT);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(COMPLETION.length());
        assertThat(response.body()).isEqualTo(COMPLETION);
        FakeGateway.Request forwarded = gateway.takeRequest();
        assertThat(forwarded.method()).isEqualTo("POST");
        assertThat(forwarded.path()).isEqualTo("/v1/chat/completions");
        assertThat(forwarded.bodyText()).isEqualTo(CHAT);
        assertThat(forwarded.header("Content-Type")).isEqualTo("application/json");
        assertThat(forwarded.header("User-Agent")).startsWith("gatehouse-runtime/");
    }

    @Test
    void gatewayError_isRelayedWithRetryAfterAndRequestId() throws Exception {
        String error = "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\",\"param\":null,\"code\":\"rate_limited\"}}";
        gateway.respondWith(exchange -> {
            exchange.getResponseHeaders().set("Retry-After", "7");
            exchange.getResponseHeaders().set("X-Request-Id", "req-42");
            exchange.getResponseHeaders().set("Set-Cookie", "upstream=1");
            FakeGateway.json(429, error).respond(exchange);
        });

        HttpResponse<String> response = post("/v1/chat/completions", CHAT);

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(response.headers().firstValue("X-Request-Id")).hasValue("req-42");
        assertThat(response.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(response.body()).isEqualTo(error);
    }

    @Test
    void gatewaySeesTheRuntimeToken_neverTheClientsAuthorizationCookieOrOtherHeaders() throws Exception {
        HttpRequest request = request(runtime, "/v1/chat/completions")
                .header("Authorization", "Bearer client-own-secret")
                .header("Cookie", "session=client-cookie")
                .header("X-Forwarded-For", "10.0.0.1")
                .header("OpenAI-Organization", "org-client")
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Accept", "text/event-stream")
                .POST(BodyPublishers.ofString(CHAT))
                .build();

        client.send(request, BodyHandlers.ofString());

        FakeGateway.Request forwarded = gateway.takeRequest();
        assertThat(forwarded.header("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(forwarded.headers().get("Authorization")).hasSize(1);
        assertThat(forwarded.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
        assertThat(forwarded.header("Accept")).isEqualTo("text/event-stream");
        assertThat(forwarded.headers().keySet()).isSubsetOf(Set.of(
                "Host", "Content-length", "Content-type", "Accept", "Authorization", "User-agent"));
    }

    @Test
    void streamedCompletion_reachesTheClientEventByEvent() throws Exception {
        CountDownLatch clientHasFirstEvent = new CountDownLatch(1);
        AtomicBoolean lastEventSent = new AtomicBoolean();
        gateway.respondWith(exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            FakeGateway.send(out, "{\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}");
            clientHasFirstEvent.await(10, TimeUnit.SECONDS);
            FakeGateway.send(out, "{\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}");
            lastEventSent.set(true);
            FakeGateway.send(out, "[DONE]");
            out.close();
        });

        HttpResponse<InputStream> response = client.send(
                request(runtime, "/v1/chat/completions").POST(BodyPublishers.ofString(CHAT)).build(),
                BodyHandlers.ofInputStream());
        BufferedReader events = new BufferedReader(new InputStreamReader(response.body(), UTF_8));

        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        assertThat(events.readLine()).isEqualTo("data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}");
        assertThat(lastEventSent).as("the last event was sent before the client had the first").isFalse();
        clientHasFirstEvent.countDown();
        assertThat(events.lines()).containsExactly(
                "", "data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}", "", "data: [DONE]", "");
    }

    @Test
    void gatewayBreaksMidStream_clientSeesAnIncompleteStream() throws Exception {
        gateway.respondWith(FakeGateway.cutAfter("{\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}"));

        HttpResponse<InputStream> response = client.send(
                request(runtime, "/v1/chat/completions").POST(BodyPublishers.ofString(CHAT)).build(),
                BodyHandlers.ofInputStream());
        InputStream body = response.body();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new String(body.readNBytes(6), UTF_8)).isEqualTo("data: ");
        assertThatThrownBy(body::readAllBytes).isInstanceOf(IOException.class);
    }

    @Test
    void gatewayBreaksInsideAFixedLengthBody_clientSeesATruncatedBody() throws Exception {
        gateway.respondWith(exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 1000);
            exchange.getResponseBody().write("{\"id\":".getBytes(UTF_8));
            exchange.getResponseBody().flush();
            throw new IOException("cut on purpose");
        });

        assertThatThrownBy(() -> post("/v1/chat/completions", CHAT)).isInstanceOf(IOException.class);
    }

    @Test
    void clientGoesAwayMidStream_gatewayConnectionIsClosed() throws Exception {
        CountDownLatch upstreamClosed = new CountDownLatch(1);
        String[] events = new String[200];
        Arrays.fill(events, "{\"choices\":[{\"delta\":{\"content\":\"token\"}}]}");
        gateway.respondWith(FakeGateway.sse(Duration.ofMillis(50), upstreamClosed, events));

        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), runtime.port())) {
            socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + CHAT.length() + "\r\n\r\n" + CHAT)
                    .getBytes(ISO_8859_1));
            BufferedReader response = new BufferedReader(new InputStreamReader(socket.getInputStream(), ISO_8859_1));
            String line;
            do {
                line = response.readLine();
            } while (line != null && !line.startsWith("data: "));
            assertThat(line).startsWith("data: ");
        }

        assertThat(upstreamClosed.await(5, TimeUnit.SECONDS)).as("the gateway saw its connection closed").isTrue();
    }

    @Test
    void gatewayDown_answers502GatewayUnreachable() throws Exception {
        URI closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/v1");
        }
        try (SandboxRuntime unreachable = startRuntime(closedPort, null)) {
            HttpResponse<String> response = client.send(request(unreachable, "/v1/chat/completions")
                    .POST(BodyPublishers.ofString(CHAT)).build(), BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(response.body()).isEqualTo("{\"error\":{\"message\":\"The LLM gateway could not be reached.\","
                    + "\"type\":\"api_error\",\"param\":null,\"code\":\"gateway_unreachable\"}}");
        }
    }

    @Test
    void models_isForwardedWithItsQuery() throws Exception {
        gateway.respondWith(FakeGateway.json(200, "{\"object\":\"list\",\"data\":[]}"));

        HttpResponse<String> response = get("/v1/models?provider=qwen");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"object\":\"list\",\"data\":[]}");
        FakeGateway.Request forwarded = gateway.takeRequest();
        assertThat(forwarded.method()).isEqualTo("GET");
        assertThat(forwarded.path()).isEqualTo("/v1/models?provider=qwen");
        assertThat(forwarded.header("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(forwarded.header("Content-Type")).isNull();
    }

    @Test
    void model_isForwardedWithItsIdAsReceived() throws Exception {
        gateway.respondWith(FakeGateway.json(200, "{\"id\":\"qwen3:8b\",\"object\":\"model\"}"));

        HttpResponse<String> response = get("/v1/models/qwen3%3A8b");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(gateway.takeRequest().path()).isEqualTo("/v1/models/qwen3%3A8b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/models/..", "/v1/models/%2e%2e", "/v1/models/a%2Fb", "/v1/models/a/b", "/v1/models/a%5Cb"})
    void modelIdWithSlashOrDots_isRefused_andNotForwarded(String path) throws Exception {
        String response = RawHttp.send(runtime.port(), "GET " + path + " HTTP/1.1");

        assertThat(response).startsWith("HTTP/1.1 400 ").contains("\"code\":\"invalid_model_id\"");
        assertThat(gateway.requests()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/index.html", "/v1/embeddings", "/v1/models/", "/v1/chat/completions/x", "/healthz/x"})
    void unknownPath_answers404UnknownUrl(String path) throws Exception {
        HttpResponse<String> response = get(path);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body()).contains("\"type\":\"invalid_request_error\"", "\"code\":\"unknown_url\"");
        assertThat(gateway.requests()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET /v1/chat/completions POST", "POST /v1/models GET", "DELETE /v1/models/qwen3 GET",
            "POST /healthz GET"})
    void wrongMethod_answers405WithAllow(String methodPathAllowed) throws Exception {
        String[] parts = methodPathAllowed.split(" ");

        HttpResponse<String> response = client.send(request(runtime, parts[1])
                .method(parts[0], BodyPublishers.noBody()).build(), BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue(parts[2]);
        assertThat(response.body()).contains("\"code\":\"method_not_allowed\"");
        assertThat(gateway.requests()).isEmpty();
    }

    @Test
    void bodyDeclaredOver16MiB_answers413_withoutCallingTheGateway() throws Exception {
        String response = RawHttp.send(runtime.port(), "POST /v1/chat/completions HTTP/1.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + (16 * 1024 * 1024 + 1));

        assertThat(response).startsWith("HTTP/1.1 413 ").contains("\"code\":\"request_too_large\"");
        assertThat(gateway.requests()).isEmpty();
    }

    @Test
    void chunkedBodyOver16MiB_answers413_andTheGatewayNeverGetsAWholeRequest() throws Exception {
        byte[] oneByteTooMany = new byte[16 * 1024 * 1024 + 1];
        Arrays.fill(oneByteTooMany, (byte) 'x');
        HttpRequest request = request(runtime, "/v1/chat/completions")
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(oneByteTooMany)))
                .build();

        HttpResponse<String> response = client.send(request, BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("\"code\":\"request_too_large\"");
        assertThat(gateway.requests()).isEmpty();
    }

    private SandboxRuntime startRuntime(URI gatewayUrl, String defaultModel) throws IOException {
        return SandboxRuntime.start(new RuntimeConfig("127.0.0.1", 0, new LlmAccess.Gateway(gatewayUrl, null, TOKEN), defaultModel));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(request(runtime, path).GET().build(), BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return client.send(request(runtime, path).POST(BodyPublishers.ofString(body)).build(), BodyHandlers.ofString());
    }

    private static HttpRequest.Builder request(SandboxRuntime runtime, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + path));
    }
}
