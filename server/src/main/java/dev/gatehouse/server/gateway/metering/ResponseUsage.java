package dev.gatehouse.server.gateway.metering;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Finds the usage of a non-streaming response while it is forwarded chunk by chunk: feed it every
 * chunk, then ask {@link #usage()} once the body is complete.
 *
 * <p>The body is tokenized incrementally (Jackson's non-blocking parser) and never copied or kept
 * whole: only the current token is buffered, so a many-megabyte embeddings response is read like a
 * small chat completion (a single string value beyond Jackson's length limit makes the usage unknown). The common case, a body that arrives in one chunk, is held (by reference)
 * until the end and read with the faster blocking parser. The usage is the top-level {@code usage}
 * object with the rules of {@link Usage#fromUsageObject}: OpenAI's chat counts, or the {@code
 * input_tokens}/{@code output_tokens} of Anthropic's Messages and OpenAI's Responses API (Anthropic's
 * cache tokens counted as input); it is known only if the whole body is one well-formed JSON object.
 *
 * <p>Not thread-safe: one instance per response, fed from one thread (the response's event loop).
 */
public final class ResponseUsage {
    private static final JsonFactory JSON = new JsonFactory();

    /** The body's only chunk so far, not yet tokenized. */
    private Buffer first;
    /** Null until a second chunk arrives (or the end, for a one-chunk body). */
    private JsonParser parser;
    private ByteArrayFeeder feeder;
    private boolean ended;
    private int depth;
    private boolean failed;
    private boolean complete;
    /** The field just named inside the top-level object or inside its {@code usage} object. */
    private String field;
    private boolean inUsage;
    private Long prompt;
    private Long completion;
    /** {@code input_tokens} plus Anthropic's {@code cache_*_input_tokens}, when any was stated. */
    private Long input;
    private Long output;
    private boolean usageValid;
    private Optional<Usage> found = Optional.empty();

    /** Takes note of the next chunk of the body (not modified; the first is held until the next arrives). */
    public void onChunk(Buffer chunk) {
        requireNonNull(chunk, "chunk");
        if (ended || failed || complete || chunk.length() == 0) {
            return;
        }
        if (parser == null && first == null) {
            first = chunk;
            return;
        }
        try {
            if (parser == null) {
                parser = JSON.createNonBlockingByteArrayParser();
                feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
                feed(first);
                first = null;
            }
            feed(chunk);
        } catch (IOException e) {
            failed = true;
        }
    }

    /** The usage of the body fed so far, asked once it is complete; empty unless the body was one JSON object stating it. */
    public Optional<Usage> usage() {
        if (!ended) {
            ended = true;
            try {
                if (parser == null && first != null) {
                    parser = JSON.createParser(first.getBytes());
                    first = null;
                    drain();
                } else if (feeder != null && !failed && !complete) {
                    feeder.endOfInput();
                    drain();
                }
            } catch (IOException e) {
                failed = true;
            }
            closeParser();
        }
        return complete && !failed ? found : Optional.empty();
    }

    private void feed(Buffer chunk) throws IOException {
        byte[] bytes = chunk.getBytes();
        feeder.feedInput(bytes, 0, bytes.length);
        drain();
    }

    private void closeParser() {
        if (parser != null) {
            try {
                parser.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void drain() throws IOException {
        JsonToken token;
        while (!complete && (token = parser.nextToken()) != null && token != JsonToken.NOT_AVAILABLE) {
            onToken(token);
        }
    }

    private void onToken(JsonToken token) throws IOException {
        if (depth == 0 && token != JsonToken.START_OBJECT) {
            failed = true;
            complete = true;
            return;
        }
        switch (token) {
            case START_OBJECT, START_ARRAY -> {
                if (depth == 1 && "usage".equals(field)) {
                    startUsage(token == JsonToken.START_OBJECT);
                }
                depth++;
                field = null;
            }
            case END_OBJECT, END_ARRAY -> {
                depth--;
                if (inUsage && depth == 1) {
                    inUsage = false;
                    found = !usageValid ? Optional.empty()
                            : prompt != null ? Optional.of(new Usage(prompt, completion == null ? 0 : completion))
                            : input != null ? Optional.of(new Usage(input, output == null ? 0 : output))
                            : Optional.empty();
                }
                complete = depth == 0;
            }
            case FIELD_NAME -> field = depth == 1 || inUsage && depth == 2 ? parser.currentName() : null;
            default -> onValue(token);
        }
    }

    /** A top-level {@code usage} member starts; the last one counts, and only an object is usable. */
    private void startUsage(boolean object) {
        inUsage = object;
        prompt = null;
        completion = null;
        input = null;
        output = null;
        usageValid = object;
        found = Optional.empty();
    }

    private void onValue(JsonToken token) throws IOException {
        if (depth == 1 && "usage".equals(field)) {
            startUsage(false);
        } else if (inUsage && depth == 2 && ("prompt_tokens".equals(field) || "completion_tokens".equals(field))) {
            Long count = count(token);
            boolean absentCompletion = token == JsonToken.VALUE_NULL && field.equals("completion_tokens");
            if (absentCompletion) {
                completion = null; // as Usage.fromUsageObject reads a null: no completion (embeddings)
            } else if (count == null) {
                usageValid = false;
            } else if (field.equals("prompt_tokens")) {
                prompt = count;
            } else {
                completion = count;
            }
        } else if (inUsage && depth == 2 && Usage.INPUT_FIELDS.contains(field) && token != JsonToken.VALUE_NULL) {
            Long count = count(token);
            if (count == null) {
                usageValid = false;
            } else if (field.equals("output_tokens")) {
                output = count;
            } else {
                input = (input == null ? 0 : input) + count;
            }
        }
        field = null;
    }

    /** The count at the current value token by {@link Usage#count}'s rule, or null. */
    private Long count(JsonToken token) throws IOException {
        Object value = switch (token) {
            case VALUE_NUMBER_INT -> parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? parser.getBigIntegerValue() : (Object) parser.getLongValue();
            case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
            default -> null;
        };
        return Usage.count(value);
    }

}
