package dev.gatehouse.server.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Where a request's connection comes from, for what only this machine may do. */
public final class PeerAddresses {
    private PeerAddresses() {}

    /** Whether the peer is a loopback address (127.0.0.0/8, ::1). */
    public static boolean isLoopback(HttpServerRequest request) {
        SocketAddress peer = request.remoteAddress();
        if (peer == null || peer.hostAddress() == null) {
            return false;
        }
        try {
            // hostAddress() is a numeric address: no name is looked up.
            return InetAddress.getByName(peer.hostAddress()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Whether the peer is this machine: loopback, or the very address the connection came in on. */
    public static boolean isThisMachine(HttpServerRequest request) {
        SocketAddress peer = request.remoteAddress();
        SocketAddress local = request.localAddress();
        return isLoopback(request) || peer != null && local != null && peer.hostAddress() != null
                && peer.hostAddress().equals(local.hostAddress());
    }
}
