package dev.gatehouse.server.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.net.BindException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A loopback TCP relay to a real server that a test can cut (every connection closed, new ones
 * refused) and restore on the same port: an outage of the server behind it, without touching the
 * server. Not for load.
 */
public final class TcpCut implements AutoCloseable {
    private final Vertx vertx;
    private final NetClient client;
    private final String targetHost;
    private final int targetPort;
    private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
    private final int port;
    private NetServer server;

    private TcpCut(Vertx vertx, String targetHost, int targetPort) {
        this.vertx = vertx;
        this.client = vertx.createNetClient();
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = listen(0);
        this.port = server.actualPort();
    }

    /** Relays 127.0.0.1:{@link #port()} to {@code targetHost:targetPort}. */
    public static TcpCut to(Vertx vertx, String targetHost, int targetPort) {
        return new TcpCut(vertx, targetHost, targetPort);
    }

    public int port() {
        return port;
    }

    /** Closes every relayed connection and stops listening; returns once they are closed. */
    public void cut() {
        server.close().await();
        List<Future<Void>> closing = sockets.stream().map(NetSocket::close).toList();
        sockets.clear();
        Future.join(closing).await();
    }

    /**
     * Listens again on the same port. The port can stay busy for a moment after {@link #cut} (the
     * kernel finishing the closed connections), so binding is retried for up to 5 s.
     */
    public void restore() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                server = listen(port);
                return;
            } catch (Exception e) {
                if (!portBusy(e) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while restoring the relay", e);
            }
        }
    }

    private static boolean portBusy(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof BindException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        cut();
        client.close().await();
    }

    private NetServer listen(int onPort) {
        return vertx.createNetServer().connectHandler(inbound -> {
            inbound.pause();
            sockets.add(inbound);
            client.connect(targetPort, targetHost).onComplete(connected -> {
                if (connected.failed()) {
                    inbound.close();
                    return;
                }
                NetSocket outbound = connected.result();
                sockets.add(outbound);
                inbound.pipeTo(outbound);
                outbound.pipeTo(inbound);
                inbound.resume();
            });
        }).listen(onPort, "127.0.0.1").await();
    }
}
