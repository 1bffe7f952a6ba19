package dev.gatehouse.server.gateway.protocols.anthropic;

import static dev.gatehouse.server.gateway.protocols.ChatFields.copy;
import static dev.gatehouse.server.gateway.protocols.anthropic.AnthropicErrors.invalid;

import dev.gatehouse.server.gateway.protocols.ChatFields;
import dev.gatehouse.server.http.Shown;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * An Anthropic Messages request: checked before anything is reserved, and translated to a chat
 * completions request for a channel that speaks only that. The mapping (docs/protocols.md):
 * {@code system} → a system message; text blocks → text parts; image blocks (base64 or URL) →
 * {@code image_url} parts; {@code tool_use} → the assistant's {@code tool_calls}; {@code tool_result}
 * → {@code tool} messages; {@code tools}/{@code tool_choice} → functions; {@code stop_sequences} →
 * {@code stop}; {@code max_tokens}, {@code temperature}, {@code top_p}, {@code stream} as they are.
 * {@code thinking}, {@code top_k}, {@code metadata} and cache control are dropped. Stateless.
 */
public final class MessagesRequest {
    private MessagesRequest() {}

    /**
     * Refuses what Anthropic refuses and the relay relies on: {@code max_tokens} (a whole number, the
     * budget's limit) and {@code messages} (a non-empty list of user and assistant turns) required.
     *
     * @param countTokens a {@code count_tokens} request, which has no {@code max_tokens}
     * @throws dev.gatehouse.server.gateway.GatewayException 400
     */
    public static void check(JsonObject request, boolean countTokens) {
        if (!countTokens && !(request.getValue("max_tokens") instanceof Number)) {
            throw invalid("max_tokens: Field required (a whole number of tokens).", "max_tokens");
        }
        if (!(request.getValue("messages") instanceof JsonArray messages) || messages.isEmpty()) {
            throw invalid("messages: Field required (a non-empty list of messages).", "messages");
        }
        for (int i = 0; i < messages.size(); i++) {
            if (!(messages.getValue(i) instanceof JsonObject message)) {
                throw invalid("messages." + i + ": must be an object.", "messages");
            }
            Object role = message.getValue("role");
            if (!"user".equals(role) && !"assistant".equals(role)) {
                throw invalid("messages." + i + ".role: " + Shown.quote(String.valueOf(role))
                        + " (expected: user or assistant).", "messages");
            }
            Object content = message.getValue("content");
            if (!(content instanceof String) && !(content instanceof JsonArray)) {
                throw invalid("messages." + i + ".content: must be text or a list of content blocks.", "messages");
            }
        }
        Object system = request.getValue("system");
        if (system != null && !(system instanceof String) && !(system instanceof JsonArray)) {
            throw invalid("system: must be text or a list of text blocks.", "system");
        }
    }

    /**
     * The chat completions request for {@code request} (already {@link #check checked}); a streaming
     * one asks for usage.
     *
     * @throws dev.gatehouse.server.gateway.GatewayException 400 for what cannot be translated
     */
    public static JsonObject toChat(JsonObject request) {
        JsonObject chat = new JsonObject().put("model", request.getString("model"));
        JsonArray messages = new JsonArray();
        Object system = request.getValue("system");
        if (system != null) {
            messages.add(new JsonObject().put("role", "system").put("content", text(system, "system")));
        }
        JsonArray turns = request.getJsonArray("messages");
        for (int i = 0; i < turns.size(); i++) {
            JsonObject turn = turns.getJsonObject(i);
            if (turn.getString("role").equals("assistant")) {
                messages.add(assistant(turn.getValue("content"), "messages." + i));
            } else {
                user(turn.getValue("content"), "messages." + i, messages);
            }
        }
        chat.put("messages", messages).put("max_tokens", request.getValue("max_tokens"));
        copy(request, "temperature", chat, "temperature");
        copy(request, "top_p", chat, "top_p");
        copy(request, "stop_sequences", chat, "stop");
        if (request.getValue("tools") instanceof JsonArray tools && !tools.isEmpty()) {
            chat.put("tools", tools(tools));
        }
        if (request.getValue("tool_choice") instanceof JsonObject choice) {
            toolChoice(choice, chat);
        }
        ChatFields.streamIfAsked(request, chat);
        return chat;
    }

    /** Text content, or the text blocks of a list joined (a system prompt, a tool result). */
    private static String text(Object content, String at) {
        if (content instanceof String text) {
            return text;
        }
        StringBuilder joined = new StringBuilder();
        JsonArray blocks = (JsonArray) content;
        for (int i = 0; i < blocks.size(); i++) {
            JsonObject block = block(blocks, i, at);
            if (!"text".equals(block.getValue("type")) || !(block.getValue("text") instanceof String text)) {
                throw invalid(at + "." + i + ": only text blocks can be translated here.", at);
            }
            joined.append(joined.isEmpty() ? "" : "\n").append(text);
        }
        return joined.toString();
    }

    private static JsonObject block(JsonArray blocks, int i, String at) {
        if (!(blocks.getValue(i) instanceof JsonObject block)) {
            throw invalid(at + "." + i + ": must be a content block object.", at);
        }
        return block;
    }

    /** A user turn: its tool results become tool messages (first, as they answer the previous turn), the rest one user message. */
    private static void user(Object content, String at, JsonArray messages) {
        if (content instanceof String text) {
            messages.add(new JsonObject().put("role", "user").put("content", text));
            return;
        }
        JsonArray blocks = (JsonArray) content;
        JsonArray parts = new JsonArray();
        for (int i = 0; i < blocks.size(); i++) {
            JsonObject block = block(blocks, i, at + ".content");
            String where = at + ".content." + i;
            switch (String.valueOf(block.getValue("type"))) {
                case "text" -> parts.add(new JsonObject().put("type", "text").put("text", requiredText(block, "text", where)));
                case "image" -> parts.add(new JsonObject().put("type", "image_url")
                        .put("image_url", new JsonObject().put("url", imageUrl(block, where))));
                case "tool_result" -> messages.add(new JsonObject().put("role", "tool")
                        .put("tool_call_id", requiredText(block, "tool_use_id", where))
                        .put("content", toolResult(block.getValue("content"), where)));
                default -> throw unsupported(block, where);
            }
        }
        if (!parts.isEmpty()) {
            messages.add(new JsonObject().put("role", "user").put("content", parts));
        }
    }

    private static String toolResult(Object content, String at) {
        if (content == null) {
            return "";
        }
        if (!(content instanceof String) && !(content instanceof JsonArray)) {
            throw invalid(at + ".content: must be text or a list of text blocks.", "messages");
        }
        return text(content, at + ".content");
    }

    /** An assistant turn: its text joined as content, its tool uses as {@code tool_calls}; thinking is dropped. */
    private static JsonObject assistant(Object content, String at) {
        JsonObject message = new JsonObject().put("role", "assistant");
        if (content instanceof String text) {
            return message.put("content", text);
        }
        JsonArray blocks = (JsonArray) content;
        StringBuilder text = new StringBuilder();
        JsonArray calls = new JsonArray();
        for (int i = 0; i < blocks.size(); i++) {
            JsonObject block = block(blocks, i, at + ".content");
            String where = at + ".content." + i;
            switch (String.valueOf(block.getValue("type"))) {
                case "text" -> text.append(requiredText(block, "text", where));
                case "tool_use" -> calls.add(new JsonObject().put("id", requiredText(block, "id", where)).put("type", "function")
                        .put("function", new JsonObject().put("name", requiredText(block, "name", where))
                                .put("arguments", input(block.getValue("input")).encode())));
                case "thinking", "redacted_thinking" -> { }
                default -> throw unsupported(block, where);
            }
        }
        message.put("content", text.isEmpty() && !calls.isEmpty() ? null : text.toString());
        if (!calls.isEmpty()) {
            message.put("tool_calls", calls);
        }
        return message;
    }

    private static JsonObject input(Object input) {
        return input instanceof JsonObject object ? object : new JsonObject();
    }

    private static String imageUrl(JsonObject block, String at) {
        if (!(block.getValue("source") instanceof JsonObject source)) {
            throw invalid(at + ".source: Field required.", "messages");
        }
        return switch (String.valueOf(source.getValue("type"))) {
            case "base64" -> "data:" + requiredText(source, "media_type", at + ".source") + ";base64,"
                    + requiredText(source, "data", at + ".source");
            case "url" -> requiredText(source, "url", at + ".source");
            default -> throw invalid(at + ".source.type: " + Shown.quote(String.valueOf(source.getValue("type")))
                    + " (expected: base64 or url).", "messages");
        };
    }

    private static String requiredText(JsonObject object, String field, String at) {
        if (!(object.getValue(field) instanceof String text)) {
            throw invalid(at + "." + field + ": Field required (text).", "messages");
        }
        return text;
    }

    private static RuntimeException unsupported(JsonObject block, String at) {
        return invalid(at + ".type: " + Shown.quote(String.valueOf(block.getValue("type")))
                + " cannot be translated for this model's channel (it speaks only chat completions).", "messages");
    }

    private static JsonArray tools(JsonArray tools) {
        JsonArray functions = new JsonArray();
        for (int i = 0; i < tools.size(); i++) {
            if (!(tools.getValue(i) instanceof JsonObject tool) || !(tool.getValue("input_schema") instanceof JsonObject schema)) {
                throw invalid("tools." + i + ": only custom tools (name, input_schema) can be translated for this"
                        + " model's channel.", "tools");
            }
            JsonObject function = new JsonObject().put("name", requiredText(tool, "name", "tools." + i)).put("parameters", schema);
            copy(tool, "description", function, "description");
            functions.add(new JsonObject().put("type", "function").put("function", function));
        }
        return functions;
    }

    private static void toolChoice(JsonObject choice, JsonObject chat) {
        switch (String.valueOf(choice.getValue("type"))) {
            case "auto" -> chat.put("tool_choice", "auto");
            case "any" -> chat.put("tool_choice", "required");
            case "none" -> chat.put("tool_choice", "none");
            case "tool" -> chat.put("tool_choice", new JsonObject().put("type", "function")
                    .put("function", new JsonObject().put("name", requiredText(choice, "name", "tool_choice"))));
            default -> throw invalid("tool_choice.type: " + Shown.quote(String.valueOf(choice.getValue("type")))
                    + " (expected: auto, any, tool or none).", "tool_choice");
        }
        if (Boolean.TRUE.equals(choice.getValue("disable_parallel_tool_use"))) {
            chat.put("parallel_tool_calls", false);
        }
    }
}
