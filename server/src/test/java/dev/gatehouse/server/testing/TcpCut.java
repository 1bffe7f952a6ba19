package dev.gatehouse.server.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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

    /** Closes every relayed connection and stops listening. */
    public void cut() {
        server.close().await();
        sockets.forEach(NetSocket::close);
        sockets.clear();
    }

    /** Listens again on the same port. */
    public void restore() {
        server = listen(port);
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
