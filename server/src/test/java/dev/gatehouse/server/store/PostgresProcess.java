package dev.gatehouse.server.store;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of a test's own, in a temporary directory on a free port, that the test can
 * stop and start again (the shared one at 127.0.0.1:5432 must never be stopped). Uses the newest
 * {@code /usr/lib/postgresql/<version>/bin}; as root, the server runs as the {@code postgres} user
 * (PostgreSQL refuses root). Trust authentication, user {@code postgres}, database {@code postgres},
 * {@code fsync=off} (the test is about the server going away, not about its disk).
 */
public final class PostgresProcess implements AutoCloseable {
    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asPostgresUser;

    private PostgresProcess(Path bin, Path dir, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** Creates a cluster in a new temporary directory and starts it. */
    public static PostgresProcess start() throws IOException, InterruptedException {
        Path bin = newestBin().orElseThrow(() -> new AssertionError("no /usr/lib/postgresql/*/bin/initdb"));
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("gatehouse-pg-");
        if (root) {
            run(List.of("chown", "postgres", dir.toString()));
        }
        PostgresProcess pg = new PostgresProcess(bin, dir, freePort(), root);
        pg.pg("initdb", "-D", pg.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync");
        pg.startServer();
        return pg;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** A store on this server, user {@code postgres}, in {@code schema}. */
    public StoreConfig storeConfig(String schema) {
        return new StoreConfig(jdbcUrl(), Optional.of("postgres"), Optional.empty(), Optional.of(schema), 4);
    }

    /** Starts the server (again); returns once it accepts connections. */
    public void startServer() throws IOException, InterruptedException {
        pg("pg_ctl", "-D", data(), "-w", "-t", "30", "-l", dir.resolve("server.log").toString(), "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
    }

    /** Stops the server at once ({@code -m fast}: sessions are disconnected); returns once it is down. */
    public void stopServer() throws IOException, InterruptedException {
        pg("pg_ctl", "-D", data(), "-m", "fast", "-w", "-t", "30", "stop");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (Files.exists(dir.resolve("data/postmaster.pid"))) {
                pg("pg_ctl", "-D", data(), "-m", "immediate", "-w", "stop");
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private String data() {
        return dir.resolve("data").toString();
    }

    private void pg(String program, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (asPostgresUser) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(arguments));
        run(command);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + output);
        }
    }

    private static Optional<Path> newestBin() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(version -> version.resolve("bin"))
                    .filter(bin -> Files.isExecutable(bin.resolve("initdb")))
                    .max(Comparator.comparing(bin -> Integer.parseInt(bin.getParent().getFileName().toString())));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
