package dev.gatehouse.server.testing.keycloak;

import dev.gatehouse.server.keycloak.RealmParameters;
import dev.gatehouse.server.keycloak.RealmTemplates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts {@code kc.sh start-dev} from the distribution that Maven unpacked into
 * {@code target/keycloak}: loopback only, free ports, a fresh data directory, the given realms
 * imported at start-up, output to {@code target/keycloak/keycloak.log}. Fails with the log tail.
 */
final class KeycloakLauncher {
    /** Where the pom unpacks the distribution (set by surefire). */
    static final String HOME_PROPERTY = "gatehouse.keycloak.home";
    /** Start-up timeout in seconds; the default suits 2 busy cores. */
    static final String TIMEOUT_PROPERTY = "gatehouse.keycloak.startTimeoutSeconds";

    private static final Logger log = LoggerFactory.getLogger(KeycloakLauncher.class);
    private static final int MIN_JAVA = 21;
    private static final int LOG_TAIL_LINES = 80;

    private KeycloakLauncher() {}

    static Keycloak start(List<RealmParameters> realms) {
        Path home = home();
        Path javaHome = javaHome();
        Path work = home.getParent();
        Path logFile = work.resolve("keycloak.log");
        Path pidFile = work.resolve("keycloak.pid");
        stopLeftover(pidFile, home);
        Path data = freshDataDir(home, realms);
        int httpPort = freePort();
        int managementPort = freePort();
        String adminPassword = UUID.randomUUID().toString();

        List<String> command = List.of("/bin/bash", home.resolve("bin/kc.sh").toString(), "start-dev",
                "--http-host=127.0.0.1", "--http-port=" + httpPort, "--http-management-port=" + managementPort,
                "--hostname=http://127.0.0.1:" + httpPort, "--health-enabled=true", "--db=dev-mem",
                "--import-realm");
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(logFile.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("KC_") || name.startsWith("JAVA_OPTS")
                || name.equals("JAVA") || name.equals("DEBUG"));
        builder.environment().put("JAVA_HOME", javaHome.toString());
        builder.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", Keycloak.ADMIN_USER);
        builder.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword);
        // Keycloak would take 70% of the machine's memory; the tests need little.
        builder.environment().put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx768m");
        if (javaFeature(javaHome).orElse(MIN_JAVA) >= 24) {
            // Keycloak 26.4's jboss-threads resets thread locals through java.lang internals on 24+,
            // and Netty uses sun.misc.Unsafe memory access: without these, worker threads die at
            // shutdown and the log fills with warnings.
            builder.environment().put("JAVA_OPTS_APPEND",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow");
        }

        long started = System.nanoTime();
        Process process;
        try {
            process = builder.start();
            Files.writeString(pidFile, Long.toString(process.pid()));
        } catch (IOException e) {
            throw new IllegalStateException("Keycloak: cannot run " + command + ": " + e.getMessage(), e);
        }
        Thread shutdownHook = new Thread(() -> KeycloakLauncher.destroy(process), "keycloak-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        URI baseUrl = URI.create("http://127.0.0.1:" + httpPort);
        Keycloak keycloak = new Keycloak(baseUrl, adminPassword, logFile, process, shutdownHook, pidFile);
        try {
            awaitReady(process, URI.create("http://127.0.0.1:" + managementPort + "/health/ready"), logFile);
            writePids(pidFile, process);
            for (RealmParameters realm : realms) {
                keycloak.requireRealm(realm.realm());
            }
        } catch (RuntimeException e) {
            keycloak.stop();
            throw e;
        }
        Duration startTime = Duration.ofNanos(System.nanoTime() - started);
        keycloak.startTime(startTime);
        log.info("Keycloak {} started in {} ms on {} with JDK {} (data {}, log {})", home.getFileName(),
                startTime.toMillis(), baseUrl, javaHome, data, logFile);
        return keycloak;
    }

    /** Stops the process tree: Keycloak's JVM first (kc.sh forwards signals, but may itself be gone). */
    static void destroy(Process process) {
        List<ProcessHandle> children = process.toHandle().descendants().toList();
        children.forEach(ProcessHandle::destroy);
        process.destroy();
        for (ProcessHandle handle : Stream.concat(children.stream(), Stream.of(process.toHandle())).toList()) {
            try {
                handle.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                handle.destroyForcibly();
            }
        }
    }

    static String logTail(Path logFile) {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void awaitReady(Process process, URI ready, Path logFile) {
        Duration timeout = Duration.ofSeconds(Long.getLong(TIMEOUT_PROPERTY, 300));
        long deadline = System.nanoTime() + timeout.toNanos();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            HttpRequest request = HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5)).build();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw failure("exited with code " + process.exitValue() + " before it was ready", logFile);
                }
                try {
                    if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // Not listening yet.
                }
                Thread.sleep(250);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while waiting for it to start", logFile);
        }
        throw failure("not ready within " + timeout.toSeconds() + " s (" + TIMEOUT_PROPERTY + ")", logFile);
    }

    static IllegalStateException failure(String what, Path logFile) {
        return new IllegalStateException("Keycloak " + what + "; last lines of " + logFile + ":\n" + logTail(logFile));
    }

    private static Path home() {
        String configured = System.getProperty(HOME_PROPERTY);
        Path home;
        if (configured != null) {
            home = Path.of(configured);
        } else {
            try (Stream<Path> dists = Files.list(Path.of("target", "keycloak"))) {
                home = dists.filter(p -> p.getFileName().toString().startsWith("keycloak-"))
                        .max(Comparator.naturalOrder()).orElse(Path.of("target", "keycloak", "keycloak-?"));
            } catch (IOException e) {
                home = Path.of("target", "keycloak", "keycloak-?");
            }
        }
        if (!Files.isRegularFile(home.resolve("bin/kc.sh"))) {
            throw new IllegalStateException("Keycloak distribution not found at " + home.toAbsolutePath()
                    + ": run the tests through Maven (server/pom.xml unpacks org.keycloak:keycloak-quarkus-dist"
                    + " at process-test-resources)");
        }
        return home.toAbsolutePath();
    }

    /** This JVM when it is new enough (Keycloak 26.4 runs on 21 and 25), else another JDK >= 21 under /usr/lib/jvm. */
    static Path javaHome() {
        if (Runtime.version().feature() >= MIN_JAVA) {
            return Path.of(System.getProperty("java.home"));
        }
        List<String> seen = new ArrayList<>();
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path jdk : jdks.sorted(Comparator.reverseOrder()).toList()) {
                Optional<Integer> feature = javaFeature(jdk);
                seen.add(jdk.getFileName() + "=" + feature.map(String::valueOf).orElse("?"));
                if (feature.isPresent() && feature.get() >= MIN_JAVA && Files.isExecutable(jdk.resolve("bin/java"))) {
                    return jdk;
                }
            }
        } catch (IOException e) {
            seen.add("/usr/lib/jvm: " + e.getMessage());
        }
        throw new IllegalStateException("Keycloak needs a JDK >= " + MIN_JAVA + "; the tests run on "
                + Runtime.version() + " and /usr/lib/jvm has none: " + seen);
    }

    private static Optional<Integer> javaFeature(Path jdk) {
        try {
            return Files.readAllLines(jdk.resolve("release")).stream()
                    .filter(line -> line.startsWith("JAVA_VERSION="))
                    .map(line -> line.substring("JAVA_VERSION=".length()).replace("\"", ""))
                    .map(version -> Integer.parseInt(version.split("[.+-]")[0]))
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** kc.sh and Keycloak's JVM, so a later run can stop them if this one is killed. */
    private static void writePids(Path pidFile, Process process) {
        try {
            Files.writeString(pidFile, Stream.concat(Stream.of(process.toHandle()), process.toHandle().descendants())
                    .map(handle -> Long.toString(handle.pid())).collect(java.util.stream.Collectors.joining("\n")));
        } catch (IOException e) {
            log.warn("cannot write {}: {}", pidFile, e.toString());
        }
    }

    /**
     * A Keycloak left by a killed build (no shutdown hook ran) still holds the data directory:
     * stop the processes recorded in the pid file whose command line names this distribution.
     */
    private static void stopLeftover(Path pidFile, Path home) {
        try {
            if (!Files.exists(pidFile)) {
                return;
            }
            List<String> pids = Files.readAllLines(pidFile);
            Files.delete(pidFile);
            for (String pid : pids) {
                ProcessHandle.of(Long.parseLong(pid.strip()))
                        .filter(p -> p.info().commandLine().orElse("").contains(home.toString()))
                        .ifPresent(leftover -> {
                            log.warn("stopping Keycloak process {} left over from an earlier run", leftover.pid());
                            leftover.destroyForcibly();
                            leftover.onExit().join();
                        });
            }
        } catch (IOException | NumberFormatException e) {
            log.warn("ignoring unreadable {}: {}", pidFile, e.toString());
        }
    }

    private static Path freshDataDir(Path home, List<RealmParameters> realms) {
        Path data = home.resolve("data");
        try {
            if (Files.exists(data)) {
                try (Stream<Path> files = Files.walk(data)) {
                    for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(file);
                    }
                }
            }
            Path imports = Files.createDirectories(data.resolve("import"));
            for (RealmParameters realm : realms) {
                Files.writeString(imports.resolve(realm.realm() + "-realm.json"), RealmTemplates.render(realm));
            }
            return data;
        } catch (IOException e) {
            throw new UncheckedIOException("Keycloak data directory " + data + ": " + e.getMessage(), e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port: " + e.getMessage(), e);
        }
    }
}
