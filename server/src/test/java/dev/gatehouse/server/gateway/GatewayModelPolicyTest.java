package dev.gatehouse.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.openai.client.OpenAIClient;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.PermissionDeniedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.gateway.metering.Outcome;
import dev.gatehouse.server.gateway.metering.UsageRecord;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model policy at the gateway, through the official OpenAI SDK: per-channel aliases (a public name
 * sent upstream under the upstream's name, metered and listed under the public one), the model
 * allow-lists of sandbox tokens and PATs, and the {@code llm:use} capability a PAT needs. Every
 * refusal checks the status, the error code and that nothing reached the upstream or the meter.
 */
class GatewayModelPolicyTest {
    static final String ADMIN = "admin-secret-for-model-policy-0123456789";

    @TempDir
    static Path dataDir;

    static Vertx vertx;
    static FakeUpstream upstream;
    static TestGateway gateway;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        upstream = FakeUpstream.start(vertx);
        JsonArray channels = new JsonArray()
                .add(TestGateway.channel("azure", "openai", upstream, "sse")
                        .put("aliases", new JsonObject().put("gpt-4o", "json")));
        gateway = TestGateway.start(dataDir, channels, Map.of("NEWAPI_ADMIN_SECRET", ADMIN));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        vertx.close().await();
    }

    @Test
    void alias_isSentUpstreamUnderTheUpstreamsName_meteredAndListedUnderThePublicName() {
        String token = sandboxToken("sb-alias", null);

        ChatCompletion completion = gateway.sdk(token).chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gpt-4o").addUserMessage("hi").build());

        assertThat(completion.choices().get(0).message().content()).hasValue("Hello!");
        assertThat(last(upstream).body().getString("model")).isEqualTo("json");
        UsageRecord record = gateway.metering.recordsFor("sb-alias").getLast();
        assertThat(record.model()).isEqualTo("gpt-4o");
        assertThat(record.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(record.promptTokens()).isEqualTo(7);
        assertThat(models(token)).containsExactly("sse", "gpt-4o");
    }

    @Test
    void unknownAlias_is404ModelNotFound_andNothingGoesUpstream() {
        int before = upstream.requests();

        NotFoundException e = catchThrowableOfType(NotFoundException.class,
                () -> chat(sandboxToken("sb-unknown", null), "json"));

        assertThat(e.code()).hasValue("model_not_found");
        assertThat(e.getMessage()).contains("The model \"json\" does not exist");
        assertNothingHappened(before, "sb-unknown");
    }

    @Test
    void sandboxTokenWithAllowedModels_isRefusedOtherModels_andListsOnlyItsOwn() {
        String token = sandboxToken("sb-listed", List.of("gpt-4o", " ", "gpt-4o"));
        int before = upstream.requests();

        PermissionDeniedException e = catchThrowableOfType(PermissionDeniedException.class, () -> chat(token, "sse"));

        assertThat(e.statusCode()).isEqualTo(403);
        assertThat(e.code()).hasValue("model_not_allowed");
        assertThat(e.type()).hasValue("permission_error");
        assertNothingHappened(before, "sb-listed");
        assertThat(models(token)).containsExactly("gpt-4o");
        assertThat(chat(token, "gpt-4o").choices()).hasSize(1);
    }

    @Test
    void bridge_refusesAnAllowedModelsListThatNamesNoModel() {
        HttpResponse<String> response = mint(new JsonObject().put("org_id", "acme").put("user_id", "alice")
                .put("sandbox_id", "sb-empty").put("allowed_channels", new JsonArray().add("azure"))
                .put("allowed_models", new JsonArray().add(" ")));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("no_models");
    }

    @Test
    void patWithAllowedModels_isRefusedOtherModels() {
        String pat = gateway.mint(TokenType.PAT, "dora", Map.of("org_id", "acme", "capabilities",
                List.of("llm:use"), "allowed_models", List.of("sse")));
        int before = upstream.requests();

        PermissionDeniedException e = catchThrowableOfType(PermissionDeniedException.class, () -> chat(pat, "gpt-4o"));

        assertThat(e.code()).hasValue("model_not_allowed");
        assertThat(upstream.requests()).isEqualTo(before);
        assertThat(models(pat)).containsExactly("sse");
    }

    @Test
    void patWithoutLlmUse_is403CapabilityRequired_withAClearMessage() {
        String pat = gateway.mint(TokenType.PAT, "erin", Map.of("org_id", "acme", "capabilities", List.of("models:read")));
        int before = upstream.requests();
        int records = gateway.metering.records.size();

        PermissionDeniedException e = catchThrowableOfType(PermissionDeniedException.class, () -> chat(pat, "gpt-4o"));

        assertThat(e.code()).hasValue("capability_required");
        assertThat(e.getMessage()).contains("This personal access token lacks the capability llm:use",
                "create a new one with \"capabilities\": [\"llm:use\"]");
        assertThat(catchThrowableOfType(OpenAIServiceException.class, () -> gateway.sdk(pat).models().list())
                .statusCode()).isEqualTo(403);
        assertThat(upstream.requests()).isEqualTo(before);
        assertThat(gateway.metering.records.size()).isEqualTo(records);
    }

    private static ChatCompletion chat(String token, String model) {
        return gateway.sdk(token).chat().completions().create(ChatCompletionCreateParams.builder()
                .model(model).addUserMessage("hi").build());
    }

    private static List<String> models(String token) {
        OpenAIClient sdk = gateway.sdk(token);
        return sdk.models().list().data().stream().map(Model::id).toList();
    }

    private static void assertNothingHappened(int upstreamRequestsBefore, String sandbox) {
        assertThat(upstream.requests()).isEqualTo(upstreamRequestsBefore);
        assertThat(gateway.metering.recordsFor(sandbox)).isEmpty();
    }

    private static FakeUpstream.Seen last(FakeUpstream upstream) {
        return upstream.seen.stream().reduce((a, b) -> b).orElseThrow();
    }

    /** A sandbox token for the one channel through the bridge, with {@code models} as its allowed_models when given. */
    private static String sandboxToken(String sandbox, List<String> models) {
        JsonObject body = new JsonObject().put("org_id", "acme").put("user_id", "alice").put("sandbox_id", sandbox)
                .put("allowed_channels", new JsonArray().add("azure"));
        if (models != null) {
            body.put("allowed_models", new JsonArray(models));
        }
        HttpResponse<String> response = mint(body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body()).getString("token");
    }

    private static HttpResponse<String> mint(JsonObject body) {
        return TestGatehouse.send(HttpRequest.newBuilder(gateway.url("/admin/tokens/sandbox"))
                .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build());
    }
}
