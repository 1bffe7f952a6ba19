package dev.gatehouse.server.gateway.protocols.responses;

import dev.gatehouse.server.gateway.protocols.ChatFields;
import dev.gatehouse.server.gateway.protocols.ResponseTranslator;
import dev.gatehouse.server.gateway.protocols.WholeBody;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A chat completion translated into a Responses API response: the first choice's text as a message
 * item with one {@code output_text} part, its tool calls as {@code function_call} items, {@code
 * finish_reason: length} as status {@code incomplete} ({@code max_output_tokens}), usage as {@code
 * input_tokens}/{@code output_tokens}. An upstream error keeps OpenAI's shape. Stateless.
 */
public final class ResponsesResponse {
    private ResponsesResponse() {}

    /**
     * A translator of one successful chat completions response, for a request of {@code model}
     * (error statuses are answered by the relay, in the client's shape).
     */
    public static ResponseTranslator translator(String model) {
        return new WholeBody(body -> body == null ? unreadable() : fromCompletion(body, model));
    }

    private static JsonObject fromCompletion(JsonObject completion, String model) {
        JsonObject choice = completion.getValue("choices") instanceof JsonArray choices && !choices.isEmpty()
                && choices.getValue(0) instanceof JsonObject first ? first : new JsonObject();
        JsonObject said = choice.getValue("message") instanceof JsonObject message ? message : new JsonObject();
        String id = id(completion.getValue("id"));
        JsonArray output = new JsonArray();
        if (said.getValue("content") instanceof String text && !text.isEmpty()) {
            output.add(message(id, text, "completed"));
        }
        if (said.getValue("tool_calls") instanceof JsonArray calls) {
            for (Object item : calls) {
                if (item instanceof JsonObject call && call.getValue("function") instanceof JsonObject function) {
                    output.add(functionCall(ChatFields.text(call.getValue("id"), ""), ChatFields.text(function.getValue("name"), ""),
                            ChatFields.text(function.getValue("arguments"), ""), "completed"));
                }
            }
        }
        return response(id, model, choice.getValue("finish_reason"), output, usage(completion.getValue("usage")));
    }

    /** {@code resp_} and the upstream's id. */
    static String id(Object upstreamId) {
        return "resp_" + (upstreamId instanceof String id ? id : "gatehouse");
    }

    /** A response object; {@code finishReason} null while it is in progress. */
    static JsonObject response(String id, String model, Object finishReason, JsonArray output, JsonObject usage) {
        boolean incomplete = "length".equals(finishReason);
        String status = finishReason == null ? "in_progress" : incomplete ? "incomplete" : "completed";
        return new JsonObject().put("id", id).put("object", "response").put("created_at", System.currentTimeMillis() / 1000)
                .put("status", status).putNull("error")
                .put("incomplete_details", incomplete ? new JsonObject().put("reason", "max_output_tokens") : null)
                .putNull("instructions").put("metadata", new JsonObject()).put("model", model).put("output", output)
                .put("parallel_tool_calls", true).putNull("temperature").put("tool_choice", "auto")
                .put("tools", new JsonArray()).putNull("top_p").put("usage", usage);
    }

    static JsonObject message(String responseId, String text, String status) {
        return new JsonObject().put("type", "message").put("id", "msg_" + responseId).put("status", status)
                .put("role", "assistant").put("content", new JsonArray().add(outputText(text)));
    }

    static JsonObject outputText(String text) {
        return new JsonObject().put("type", "output_text").put("text", text).put("annotations", new JsonArray());
    }

    static JsonObject functionCall(String callId, String name, String arguments, String status) {
        return new JsonObject().put("type", "function_call").put("id", "fc_" + callId).put("call_id", callId)
                .put("name", name).put("arguments", arguments).put("status", status);
    }

    /** The Responses API's usage of an OpenAI chat {@code usage} object (null when absent). */
    static JsonObject usage(Object usage) {
        if (!(usage instanceof JsonObject counts)) {
            return null;
        }
        long input = counts.getValue("prompt_tokens") instanceof Number n ? n.longValue() : 0;
        long output = counts.getValue("completion_tokens") instanceof Number n ? n.longValue() : 0;
        return new JsonObject().put("input_tokens", input)
                .put("input_tokens_details", new JsonObject().put("cached_tokens", 0))
                .put("output_tokens", output)
                .put("output_tokens_details", new JsonObject().put("reasoning_tokens", 0))
                .put("total_tokens", input + output);
    }

    /** An upstream answer that is not one JSON object. */
    private static JsonObject unreadable() {
        return new JsonObject().put("error", new JsonObject().put("message", "The upstream's answer could not be read.")
                .put("type", "api_error").putNull("param").put("code", "upstream_error"));
    }
}
