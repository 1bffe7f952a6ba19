package dev.gatehouse.bench.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/** The port the load-test servers' verticle instances share, and the {@code --port-file} that reports it. */
final class SharedPort {
    private SharedPort() {
    }

    /**
     * {@code --port}, or a free loopback port for 0: verticle instances share a listening port only when
     * they ask for the same non-zero one.
     */
    static int resolve(Map<String, String> args) throws IOException {
        int port = Args.intArg(args, "port", 0);
        if (port != 0) {
            return port;
        }
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** Writes {@code port} to {@code --port-file}, when given, atomically (a reader never sees half of it). */
    static void report(Map<String, String> args, int port) throws IOException {
        if (!args.containsKey("port-file")) {
            return;
        }
        Path file = Path.of(args.get("port-file"));
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, Integer.toString(port));
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    }
}
