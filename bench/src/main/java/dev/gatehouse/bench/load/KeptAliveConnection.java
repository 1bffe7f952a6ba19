package dev.gatehouse.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * One load worker's kept-alive HTTP/1.1 connection, blocking: it writes a request prepared once
 * ({@link #post}) and reads the whole response (by {@code Content-Length} or chunked). It replaces
 * {@code java.net.http.HttpClient} in {@link TokenEndpointLoad}, whose own CPU per request (about
 * 0.15 ms, measured at 4,800 requests/s) was as large as the server's under test on the same cores.
 * A kept-alive connection the server has closed is reopened once for the same request (not after a
 * timeout: the server may have done the work). Not thread-safe: one per worker.
 */
final class KeptAliveConnection implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int READ_TIMEOUT_MILLIS = 30_000;

    private final InetSocketAddress address;
    private final byte[] buffer = new byte[16 * 1024];
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private int position;
    private int limit;
    private boolean reused;

    KeptAliveConnection(URI url) {
        this.address = new InetSocketAddress(url.getHost(), url.getPort() < 0 ? 80 : url.getPort());
    }

    /** A response: its status and whole body. */
    record Response(int status, byte[] body) {}

    /** The bytes of a POST to {@code url} with these headers and body, to send with {@link #exchange}. */
    static byte[] post(URI url, Map<String, String> headers, String body) {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("POST ").append(url.getRawPath().isEmpty() ? "/" : url.getRawPath());
        if (url.getRawQuery() != null) {
            head.append('?').append(url.getRawQuery());
        }
        head.append(" HTTP/1.1\r\nHost: ").append(url.getHost());
        if (url.getPort() >= 0) {
            head.append(':').append(url.getPort());
        }
        head.append("\r\nContent-Length: ").append(content.length).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        byte[] start = head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
        byte[] request = Arrays.copyOf(start, start.length + content.length);
        System.arraycopy(content, 0, request, start.length, content.length);
        return request;
    }

    /** Sends {@code request} and reads its response. */
    Response exchange(byte[] request) throws IOException {
        while (true) {
            if (socket == null) {
                open();
            }
            boolean retryable = reused;
            try {
                out.write(request);
                out.flush();
                Response response = read();
                reused = true;
                return response;
            } catch (SocketTimeoutException e) {
                close();
                throw e;
            } catch (IOException e) {
                close();
                if (!retryable) {
                    throw e;
                }
            } catch (RuntimeException e) {
                close();
                throw new IOException("malformed response: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a connection that is being dropped anyway
            }
        }
        socket = null;
        reused = false;
        position = 0;
        limit = 0;
    }

    private void open() throws IOException {
        Socket opened = new Socket();
        opened.setTcpNoDelay(true);
        opened.setSoTimeout(READ_TIMEOUT_MILLIS);
        opened.connect(address, CONNECT_TIMEOUT_MILLIS);
        socket = opened;
        in = opened.getInputStream();
        out = opened.getOutputStream();
    }

    /** The final response: interim ones (1xx) are read and skipped. */
    private Response read() throws IOException {
        Response response = readOne();
        while (response.status() < 200) {
            response = readOne();
        }
        return response;
    }

    private Response readOne() throws IOException {
        String statusLine = line();
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean closing = false;
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header line: " + header);
            }
            String name = header.substring(0, colon).trim();
            String value = header.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                chunked = value.equalsIgnoreCase("chunked");
            } else if (name.equalsIgnoreCase("Connection")) {
                closing = value.equalsIgnoreCase("close");
            }
        }
        byte[] body;
        if (status < 200 || status == 204 || status == 304) {
            body = new byte[0];
        } else if (chunked) {
            body = chunkedBody();
        } else if (length >= 0) {
            body = bytes(Math.toIntExact(length));
        } else {
            throw new IOException("a response with neither Content-Length nor chunked encoding");
        }
        if (closing) {
            close();
        }
        return new Response(status, body);
    }

    private byte[] chunkedBody() throws IOException {
        byte[] body = new byte[0];
        while (true) {
            String sizeLine = line();
            int extension = sizeLine.indexOf(';');
            int size = Integer.parseInt((extension < 0 ? sizeLine : sizeLine.substring(0, extension)).trim(), 16);
            if (size == 0) {
                while (!line().isEmpty()) {
                    // trailer fields: not used
                }
                return body;
            }
            byte[] chunk = bytes(size);
            body = Arrays.copyOf(body, body.length + size);
            System.arraycopy(chunk, 0, body, body.length - size, size);
            if (!line().isEmpty()) {
                throw new IOException("a chunk not followed by CRLF");
            }
        }
    }

    /** The next line, without its CRLF, in ISO-8859-1 (the status line and headers). */
    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            if (position == limit) {
                fill();
            }
            byte b = buffer[position++];
            if (b == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            line.append((char) (b & 0xff));
        }
    }

    private byte[] bytes(int count) throws IOException {
        byte[] bytes = new byte[count];
        int copied = 0;
        while (copied < count) {
            if (position == limit) {
                fill();
            }
            int n = Math.min(count - copied, limit - position);
            System.arraycopy(buffer, position, bytes, copied, n);
            position += n;
            copied += n;
        }
        return bytes;
    }

    private void fill() throws IOException {
        int n = in.read(buffer);
        if (n < 0) {
            throw new IOException("connection closed by the server");
        }
        position = 0;
        limit = n;
    }
}
