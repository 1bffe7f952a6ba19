package dev.gatehouse.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** GET / on a real runtime: a page for a person, with strict headers, escaped values and no credential. */
class HomePageTest {
    private static final String TOKEN = "sk-sandbox-home-page-secret";

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private FakeGateway gateway;

    @BeforeEach
    void start() throws IOException {
        gateway = FakeGateway.start();
    }

    @AfterEach
    void stop() {
        gateway.close();
        client.close();
    }

    @Test
    void get_answersAnHtmlPage_withStrictHeaders_theEscapedModel_andNoToken() throws Exception {
        try (SandboxRuntime runtime = gatewayRuntime("<script>alert('x')</script>&\"q\"")) {
            HttpResponse<String> response = send(runtime, "GET");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(response.headers().firstValue("Content-Security-Policy"))
                    .hasValue("default-src 'none'; style-src 'unsafe-inline'");
            assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
            assertThat(response.body()).startsWith("<!doctype html>")
                    .contains("This sandbox is running", "<code>/v1/chat/completions</code>", "Gatehouse gateway")
                    .contains("<code>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;q&quot;</code>")
                    .doesNotContain("<script>", TOKEN, gateway.baseUrl().getPort() + "");
            assertThat(gateway.requests()).isEmpty();
        }
    }

    @Test
    void head_answersTheHeadersAndLength_withoutABody() throws Exception {
        try (SandboxRuntime runtime = gatewayRuntime(null)) {
            int length = send(runtime, "GET").body().getBytes(StandardCharsets.UTF_8).length;

            String response = RawHttp.send(runtime.port(), "HEAD / HTTP/1.1");

            assertThat(response).startsWith("HTTP/1.1 200 ")
                    .containsIgnoringCase("Content-Type: text/html; charset=utf-8")
                    .containsIgnoringCase("Content-Length: " + length)
                    .containsIgnoringCase("Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'")
                    .endsWith("\r\n\r\n");
        }
    }

    @Test
    void withoutADefaultModel_saysToNameOne() throws Exception {
        try (SandboxRuntime runtime = gatewayRuntime(null)) {
            assertThat(send(runtime, "GET").body()).contains("No default model is configured");
        }
    }

    @Test
    void inSubscriptionMode_namesTheVariable_notTheCredential_andSaysNothingIsForwarded() throws Exception {
        try (SandboxRuntime runtime = SandboxRuntime.start(new RuntimeConfig("127.0.0.1", 0,
                new LlmAccess.Subscription("CLAUDE_CODE_OAUTH_TOKEN", null), "claude-sonnet"))) {
            String body = send(runtime, "GET").body();

            assertThat(body).contains("own subscription", "<code>CLAUDE_CODE_OAUTH_TOKEN</code>", "answers 503",
                    "<code>claude-sonnet</code>").doesNotContain("Gatehouse gateway");
        }
    }

    @Test
    void otherMethods_are405_allowingGetAndHead() throws Exception {
        try (SandboxRuntime runtime = gatewayRuntime(null)) {
            HttpResponse<String> response = send(runtime, "POST");

            assertThat(response.statusCode()).isEqualTo(405);
            assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
            assertThat(gateway.requests()).isEmpty();
        }
    }

    private SandboxRuntime gatewayRuntime(String defaultModel) throws IOException {
        return SandboxRuntime.start(new RuntimeConfig("127.0.0.1", 0,
                new LlmAccess.Gateway(gateway.baseUrl(), null, TOKEN), defaultModel));
    }

    private HttpResponse<String> send(SandboxRuntime runtime, String method) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + "/"))
                .method(method, BodyPublishers.noBody()).build(), BodyHandlers.ofString());
    }
}
