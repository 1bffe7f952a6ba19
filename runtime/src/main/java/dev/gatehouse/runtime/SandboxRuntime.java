package dev.gatehouse.runtime;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running sandbox runtime: an HTTP/1.1 server (keep-alive, one virtual thread per request). With a
 * {@link LlmAccess.Gateway} it forwards the OpenAI-compatible API to the gateway and holds nothing but
 * the gateway URL and its token; with a {@link LlmAccess.Subscription} it forwards nothing, answers
 * every API call {@code 503 no_gateway} and holds no credential. Thread-safe; {@link #close()} may be
 * called more than once.
 */
public final class SandboxRuntime implements AutoCloseable {
    private static final int STOP_GRACE_SECONDS = 1;

    private final HttpServer server;
    private final Upstream upstream;
    private final ExecutorService executor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SandboxRuntime(HttpServer server, Upstream upstream, ExecutorService executor) {
        this.server = server;
        this.upstream = upstream;
        this.executor = executor;
    }

    /**
     * Binds {@code config.host():config.port()} and starts serving.
     *
     * @throws IOException if the address cannot be resolved or bound
     */
    public static SandboxRuntime start(RuntimeConfig config) throws IOException {
        requireNonNull(config, "config");
        InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
        if (address.isUnresolved()) {
            throw new UnknownHostException("HOST: \"" + config.host() + "\" cannot be resolved");
        }
        HttpServer server = HttpServer.create(address, 0);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        Upstream upstream = upstream(config.llm(), executor);
        server.createContext("/", new Router(upstream, Health.of(config), HomePage.of(config)));
        server.setExecutor(executor);
        server.start();
        return new SandboxRuntime(server, upstream, executor);
    }

    private static Upstream upstream(LlmAccess llm, Executor executor) {
        // instanceof rather than a switch on the sealed type: a type switch bootstraps through
        // invokedynamic at start-up (a few ms), which this runtime avoids as it does for string concatenation.
        if (llm instanceof LlmAccess.Subscription subscription) {
            return new NoGateway(subscription.variable());
        }
        return Forwarder.to((LlmAccess.Gateway) llm, executor);
    }

    /** The port it listens on (the one picked when the configuration said 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops accepting, gives requests in flight about a second, then cuts them and the gateway calls. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stop(STOP_GRACE_SECONDS);
        upstream.close();
        executor.shutdownNow();
    }
}
