package dev.gatehouse.runtime;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/**
 * The upstream of a sandbox in subscription mode: there is none. Every call is answered
 * {@code 503 no_gateway}, naming the variable that holds the owner's credential, and nothing is sent
 * anywhere. Thread-safe.
 */
final class NoGateway implements Upstream {
    private final ApiError error;

    NoGateway(String credentialVariable) {
        this.error = ApiError.noGateway(credentialVariable);
    }

    @Override
    public void forward(HttpExchange exchange, String path) throws IOException {
        error.send(exchange);
    }

    @Override
    public void close() {
    }
}
