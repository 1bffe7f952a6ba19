package dev.gatehouse.runtime;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A running sandbox runtime: an HTTP/1.1 server (keep-alive, one virtual thread per request) that
 * forwards the OpenAI-compatible API to the gateway of its {@link RuntimeConfig}. It holds nothing
 * but the gateway URL and its token. Thread-safe; {@link #close()} may be called more than once.
 */
public final class SandboxRuntime implements AutoCloseable {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final int STOP_GRACE_SECONDS = 1;

    private final HttpServer server;
    private final HttpClient client;
    private final ExecutorService executor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SandboxRuntime(HttpServer server, HttpClient client, ExecutorService executor) {
        this.server = server;
        this.client = client;
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
        HttpClient client = httpClient(config.gatewayUrl(), executor);
        Forwarder forwarder = new Forwarder(client, config.gatewayUrl(), TokenSource.of(config));
        server.createContext("/", new Router(forwarder, config.defaultModel()));
        server.setExecutor(executor);
        server.start();
        return new SandboxRuntime(server, client, executor);
    }

    private static HttpClient httpClient(URI gatewayUrl, ExecutorService executor) {
        HttpClient.Builder client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(CONNECT_TIMEOUT)
                .executor(executor);
        if ("http".equalsIgnoreCase(gatewayUrl.getScheme())) {
            // HttpClient builds the default TLS context (JSSE, the trust store) even if it never
            // connects with TLS: about 8 MB resident and 400 classes. A plain-HTTP gateway gets a
            // context that is never used instead.
            client.sslContext(new SSLContext(null, null, "none") {}).sslParameters(new SSLParameters());
        }
        return client.build();
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
        client.shutdownNow();
        executor.shutdownNow();
    }
}
