package dev.gatehouse.runtime;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;

/** HTTP/1.1 over a plain socket, for requests an HTTP client would not send as written. */
final class RawHttp {
    private RawHttp() {
    }

    /**
     * Sends {@code head} (request line and headers, without the blank line) and no body, with
     * {@code Connection: close}; returns the whole response.
     */
    static String send(int port, String head) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((head + "\r\nHost: localhost\r\nConnection: close\r\n\r\n").getBytes(ISO_8859_1));
            // Ends any body the head announced: the server sees it cut short instead of waiting for it.
            socket.shutdownOutput();
            return new String(socket.getInputStream().readAllBytes(), ISO_8859_1);
        }
    }
}
