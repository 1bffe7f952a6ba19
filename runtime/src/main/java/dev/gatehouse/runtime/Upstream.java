package dev.gatehouse.runtime;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/**
 * What answers an OpenAI API call the router accepted: the gateway ({@link Forwarder}) or, in
 * subscription mode, nobody ({@link NoGateway}). Implementations are thread-safe.
 */
interface Upstream extends AutoCloseable {

    /** Answers {@code exchange}, a GET or a POST for {@code path} under the OpenAI base ({@code /models}), and ends it. */
    void forward(HttpExchange exchange, String path) throws IOException;

    /** Cancels calls in flight and releases what it holds; called once, when the runtime stops. */
    @Override
    void close();
}
