package dev.gatehouse.server.sandbox;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * A sandbox runtime for proxy tests, run as a real child process by the process backend (a profile's
 * {@code command}): listens on {@code HOST:PORT} and answers {@code /healthz}; {@code /env} its whole
 * environment; {@code /echo...} the method, path and headers it received; {@code /sse} three events
 * 100 ms apart; {@code /sse-endless} an event every 100 ms until the client goes; a WebSocket echoing
 * each text frame prefixed with {@code echo:}, which on {@code /ws-headers} first sends the headers of
 * its upgrade request.
 */
public final class EchoRuntime {
    private EchoRuntime() {}

    /** The command line running this class with the test class path, for a profile's {@code command}. */
    public static List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx64m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(EchoRuntime.class.getName());
        return command;
    }

    /** {@code sandbox.profiles} (as JSON) with one profile, {@code echo}, running this class. */
    public static String echoProfile() {
        return new JsonArray().add(new JsonObject().put("name", "echo").put("command", new JsonArray(command()))).encode();
    }

    public static void main(String[] args) {
        Vertx vertx = Vertx.vertx();
        vertx.createHttpServer()
                .webSocketHandler(socket -> {
                    if (socket.path().equals("/ws-headers")) {
                        socket.writeTextMessage(headers(socket.headers()).encode());
                    }
                    socket.textMessageHandler(text -> socket.writeTextMessage("echo:" + text));
                })
                .requestHandler(EchoRuntime::handle)
                .listen(Integer.parseInt(System.getenv("PORT")), System.getenv().getOrDefault("HOST", "127.0.0.1"))
                .await();
    }

    private static void handle(HttpServerRequest request) {
        String path = request.path();
        if (path.equals("/healthz")) {
            request.response().end("{\"status\":\"ok\"}");
        } else if (path.equals("/env")) {
            request.response().putHeader("Content-Type", "application/json")
                    .end(new JsonObject(new TreeMap<String, Object>(System.getenv())).encode());
        } else if (path.startsWith("/echo")) {
            request.body().onSuccess(body -> {
                HttpServerResponse response = request.response().putHeader("Content-Type", "application/json");
                response.headers()
                        .add("Set-Cookie", "gatehouse_session=forged; Path=/")
                        .add("Set-Cookie", "app=kept; Path=/")
                        .add("Set-Cookie", "pref=dark; Domain=example.test; Path=/settings; HttpOnly");
                response.end(new JsonObject().put("method", request.method().name()).put("uri", request.uri())
                        .put("headers", headers(request.headers())).put("body", body.toString()).encode());
            });
        } else if (path.equals("/sse")) {
            request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
            tick(request, 3);
        } else if (path.equals("/sse-endless")) {
            request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
            tick(request, Integer.MAX_VALUE);
        } else {
            request.response().setStatusCode(404).end();
        }
    }

    private static JsonObject headers(MultiMap headers) {
        JsonObject json = new JsonObject();
        headers.forEach(header -> json.put(header.getKey().toLowerCase(Locale.ROOT), header.getValue()));
        return json;
    }

    private static void tick(HttpServerRequest request, int left) {
        if (request.response().closed()) {
            return;
        }
        if (left == 0) {
            request.response().end();
            return;
        }
        request.response().write("data: tick " + left + "\n\n");
        Vertx.currentContext().owner().setTimer(100, id -> tick(request, left - 1));
    }
}
