package dev.gatehouse.server.gateway.protocols.responses;

import static dev.gatehouse.server.gateway.protocols.ChatFields.copy;
import static dev.gatehouse.server.gateway.protocols.responses.ResponsesErrors.invalid;
import static dev.gatehouse.server.gateway.protocols.responses.ResponsesErrors.unsupported;

import dev.gatehouse.server.gateway.protocols.ChatFields;
import dev.gatehouse.server.http.Shown;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A Responses API request: checked before anything is reserved, and translated to a chat
 * completions request for a channel that speaks only that. The mapping (docs/protocols.md):
 * {@code instructions} → a system message; {@code input} text → a user message; message items
 * (text and image parts; {@code developer} as {@code system}) → messages; {@code function_call}
 * items → the assistant's {@code tool_calls}; {@code function_call_output} → {@code tool} messages;
 * function {@code tools} and {@code tool_choice} → chat's; {@code max_output_tokens} → {@code
 * max_tokens}; {@code text.format} → {@code response_format}. Stateless: {@code
 * previous_response_id} and {@code store: true} are refused in translation. Stateless class.
 */
public final class ResponsesRequest {
    private ResponsesRequest() {}

    /** @throws dev.gatehouse.server.gateway.GatewayException 400 without {@code input} (text or a list of items) */
    public static void check(JsonObject request) {
        Object input = request.getValue("input");
        if (!(input instanceof String) && !(input instanceof JsonArray)) {
            throw invalid("input is required (text or a list of input items).", "input");
        }
    }

    /** @throws dev.gatehouse.server.gateway.GatewayException 400 for what a chat completions channel cannot serve */
    public static JsonObject toChat(JsonObject request) {
        if (request.getValue("previous_response_id") != null) {
            throw unsupported("previous_response_id is not supported for this model: its channel speaks only chat"
                    + " completions, and the gateway keeps no responses (send the whole conversation as input).",
                    "previous_response_id");
        }
        if (Boolean.TRUE.equals(request.getValue("store"))) {
            throw unsupported("store: true is not supported for this model: its channel speaks only chat completions,"
                    + " and the gateway keeps no responses (omit store or set it to false).", "store");
        }
        JsonArray messages = new JsonArray();
        if (request.getValue("instructions") instanceof String instructions) {
            messages.add(new JsonObject().put("role", "system").put("content", instructions));
        }
        Object input = request.getValue("input");
        if (input instanceof String text) {
            messages.add(new JsonObject().put("role", "user").put("content", text));
        } else {
            items((JsonArray) input, messages);
        }
        JsonObject chat = new JsonObject().put("model", request.getString("model")).put("messages", messages);
        copy(request, "max_output_tokens", chat, "max_tokens");
        copy(request, "temperature", chat, "temperature");
        copy(request, "top_p", chat, "top_p");
        copy(request, "parallel_tool_calls", chat, "parallel_tool_calls");
        copy(request, "user", chat, "user");
        if (request.getValue("tools") instanceof JsonArray tools && !tools.isEmpty()) {
            chat.put("tools", tools(tools));
        }
        Object choice = request.getValue("tool_choice");
        if (choice != null) {
            chat.put("tool_choice", toolChoice(choice));
        }
        if (request.getValue("text") instanceof JsonObject text && text.getValue("format") instanceof JsonObject format) {
            responseFormat(format, chat);
        }
        ChatFields.streamIfAsked(request, chat);
        return chat;
    }

    private static void items(JsonArray items, JsonArray messages) {
        JsonObject pendingCalls = null;
        for (int i = 0; i < items.size(); i++) {
            if (!(items.getValue(i) instanceof JsonObject item)) {
                throw invalid("input[" + i + "]: must be an input item object.", "input");
            }
            String type = item.getValue("type") instanceof String t ? t : "message";
            if (type.equals("function_call")) {
                if (pendingCalls == null) {
                    pendingCalls = new JsonObject().put("role", "assistant").putNull("content")
                            .put("tool_calls", new JsonArray());
                    messages.add(pendingCalls);
                }
                pendingCalls.getJsonArray("tool_calls").add(new JsonObject().put("id", text(item, "call_id", i))
                        .put("type", "function").put("function", new JsonObject().put("name", text(item, "name", i))
                                .put("arguments", text(item, "arguments", i))));
                continue;
            }
            pendingCalls = null;
            switch (type) {
                case "message" -> messages.add(message(item, i));
                case "function_call_output" -> messages.add(new JsonObject().put("role", "tool")
                        .put("tool_call_id", text(item, "call_id", i)).put("content", output(item.getValue("output"))));
                default -> throw unsupported("input[" + i + "].type: " + Shown.quote(type) + " cannot be translated for"
                        + " this model's channel (it speaks only chat completions).", "input");
            }
        }
    }

    private static JsonObject message(JsonObject item, int i) {
        String role = text(item, "role", i);
        if (!role.equals("user") && !role.equals("assistant") && !role.equals("system") && !role.equals("developer")) {
            throw invalid("input[" + i + "].role: " + Shown.quote(role) + " (expected: user, assistant, system or developer).",
                    "input");
        }
        JsonObject message = new JsonObject().put("role", role.equals("developer") ? "system" : role);
        Object content = item.getValue("content");
        if (content instanceof String text) {
            return message.put("content", text);
        }
        if (!(content instanceof JsonArray parts)) {
            throw invalid("input[" + i + "].content: must be text or a list of content parts.", "input");
        }
        JsonArray chatParts = new JsonArray();
        StringBuilder joined = new StringBuilder();
        for (int p = 0; p < parts.size(); p++) {
            JsonObject part = parts.getValue(p) instanceof JsonObject object ? object : new JsonObject();
            String at = "input[" + i + "].content[" + p + "]";
            switch (String.valueOf(part.getValue("type"))) {
                case "input_text", "output_text" -> {
                    String text = text(part, "text", i);
                    chatParts.add(new JsonObject().put("type", "text").put("text", text));
                    joined.append(text);
                }
                case "input_image" -> {
                    if (!(part.getValue("image_url") instanceof String url)) {
                        throw unsupported(at + ": only images given by image_url can be translated.", "input");
                    }
                    chatParts.add(new JsonObject().put("type", "image_url").put("image_url", new JsonObject().put("url", url)));
                }
                default -> throw unsupported(at + ".type: " + Shown.quote(String.valueOf(part.getValue("type")))
                        + " cannot be translated for this model's channel.", "input");
            }
        }
        boolean textOnly = chatParts.stream().allMatch(part -> "text".equals(((JsonObject) part).getValue("type")));
        return message.put("content", textOnly && !role.equals("user") ? joined.toString() : chatParts);
    }

    private static String output(Object output) {
        if (output instanceof String text) {
            return text;
        }
        return output == null ? "" : output.toString();
    }

    private static String text(JsonObject object, String field, int i) {
        if (!(object.getValue(field) instanceof String text)) {
            throw invalid("input[" + i + "]." + field + ": Field required (text).", "input");
        }
        return text;
    }

    private static JsonArray tools(JsonArray tools) {
        JsonArray functions = new JsonArray();
        for (int i = 0; i < tools.size(); i++) {
            if (!(tools.getValue(i) instanceof JsonObject tool) || !"function".equals(tool.getValue("type"))
                    || !(tool.getValue("name") instanceof String name)) {
                throw unsupported("tools[" + i + "]: only function tools can be translated for this model's channel.",
                        "tools");
            }
            JsonObject function = new JsonObject().put("name", name);
            copy(tool, "description", function, "description");
            copy(tool, "parameters", function, "parameters");
            copy(tool, "strict", function, "strict");
            functions.add(new JsonObject().put("type", "function").put("function", function));
        }
        return functions;
    }

    private static Object toolChoice(Object choice) {
        if (choice instanceof String mode) {
            return mode;
        }
        if (choice instanceof JsonObject object && "function".equals(object.getValue("type"))
                && object.getValue("name") instanceof String name) {
            return new JsonObject().put("type", "function").put("function", new JsonObject().put("name", name));
        }
        throw unsupported("tool_choice: only auto, none, required or a function can be translated.", "tool_choice");
    }

    private static void responseFormat(JsonObject format, JsonObject chat) {
        switch (String.valueOf(format.getValue("type"))) {
            case "json_schema" -> {
                JsonObject schema = new JsonObject();
                copy(format, "name", schema, "name");
                copy(format, "schema", schema, "schema");
                copy(format, "strict", schema, "strict");
                copy(format, "description", schema, "description");
                chat.put("response_format", new JsonObject().put("type", "json_schema").put("json_schema", schema));
            }
            case "json_object" -> chat.put("response_format", new JsonObject().put("type", "json_object"));
            default -> { }
        }
    }
}
