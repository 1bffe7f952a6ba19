package dev.gatehouse.server.sandbox.process;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.sandbox.LlmAccess;
import dev.gatehouse.server.sandbox.SandboxBackend;
import dev.gatehouse.server.sandbox.SandboxBackendException;
import dev.gatehouse.server.sandbox.SandboxEndpoint;
import dev.gatehouse.server.sandbox.SandboxEvents;
import dev.gatehouse.server.sandbox.SandboxSpec;
import dev.gatehouse.server.sandbox.TokenDelivery;
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
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded backend, for development: each sandbox's runtime is a child process of this Gatehouse
 * on a free loopback port, in its own directory under {@code <dataDir>/sandboxes/<id>} (mode 0700)
 * holding its token file (mode 0600) and its log. Its environment is built from nothing: the gateway
 * URL and its token (or, in BYOS mode, its owner's credential in the provider's variable), its port
 * and default model, {@code HOME}, {@code TMPDIR} and a minimal {@code PATH}. A BYOS sandbox can reach
 * any host (there is no network policy here).
 *
 * <p>That keeps Gatehouse's secrets out of what a runtime is <em>given</em>; it is no isolation. A
 * runtime runs as Gatehouse's own operating-system user, so it can read whatever that user can — the
 * data directory (the store, the generated key-encryption key) and, through {@code /proc}, the
 * environment of its parent — and any local user can call its loopback port. There is no network
 * policy and no resource limit. Production refuses this backend ({@code sandbox.backend:
 * kubernetes}). It serves one Gatehouse per directory (a lock file): {@link #start} stops the runtimes
 * an earlier, crashed run recorded there, matched by pid and start time, and no other process. A
 * runtime becomes running when {@code GET /healthz} answers 200; it fails when it exits.
 *
 * <p>Thread-safe.
 */
public final class ProcessBackend implements SandboxBackend {
    public static final String KIND = "process";
    static final String TOKEN_FILE = "api-key";
    static final String LOG_FILE = "runtime.log";
    static final String PID_FILE = "pid";
    static final String LOCK_FILE = ".lock";
    private static final Duration HEALTH_POLL = Duration.ofMillis(20);
    private static final int LOG_TAIL_BYTES = 2048;
    private static final Logger log = LoggerFactory.getLogger(ProcessBackend.class);

    private final Path root;
    private final RuntimeCommands commands;
    private final Duration startTimeout;
    private final String scope;
    private final HttpClient health;
    private final Map<String, ChildRuntime> children = new ConcurrentHashMap<>();
    private volatile SandboxEvents events;
    private DirectoryLock lock;

    /**
     * @param root the directory sandboxes live in, {@code <dataDir>/sandboxes}
     * @param startTimeout how long health checks are tried before a runtime is left to the reaper
     */
    public ProcessBackend(Path root, RuntimeCommands commands, Duration startTimeout) {
        this.root = requireNonNull(root, "root").toAbsolutePath();
        this.commands = requireNonNull(commands, "commands");
        this.startTimeout = requireNonNull(startTimeout, "startTimeout");
        this.scope = KIND + ":" + hostName() + ":" + this.root;
        this.health = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1))
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** {@code process:<host>:<directory>}: this Gatehouse's children only. */
    @Override
    public String scope() {
        return scope;
    }

    @Override
    public boolean endsWithGatehouse() {
        return true;
    }

    /**
     * Takes the directory's lock (one Gatehouse per directory: a second one would take the first's
     * runtimes for leftovers), stops the runtimes an earlier run left behind, then listens.
     *
     * @throws SandboxBackendException when another Gatehouse holds the directory
     */
    @Override
    public void start(SandboxEvents listener) {
        this.events = requireNonNull(listener, "listener");
        createPrivateDirectory(root);
        lock = DirectoryLock.take(root.resolve(LOCK_FILE));
        try (Stream<Path> leftovers = Files.list(root)) {
            leftovers.filter(Files::isDirectory).forEach(this::removeLeftover);
        } catch (IOException e) {
            throw new UncheckedIOException("sandbox: cannot list " + root, e);
        }
    }

    @Override
    public void create(SandboxSpec spec) {
        requireNonNull(spec, "spec");
        Path directory = root.resolve(spec.id()).normalize();
        try {
            createPrivateDirectory(directory);
            createPrivateDirectory(directory.resolve("tmp"));
            writeToken(directory, spec.token());
            int port = freePort();
            Process process = launch(spec, directory, port);
            ChildRuntime child = new ChildRuntime(spec.id(), directory, port, process);
            children.put(spec.id(), child);
            writePidFile(directory, process);
            watch(child, process);
        } catch (IOException | UncheckedIOException e) {
            log.atWarn().setCause(e).addKeyValue("sandbox", spec.id()).log("starting the runtime process failed");
            delete(spec.id());
            throw new SandboxBackendException("The runtime could not be started: " + rootCause(e) + ".", e);
        }
    }

    @Override
    public void replaceToken(SandboxSpec spec) {
        ChildRuntime child = children.get(spec.id());
        if (child == null) {
            throw new SandboxBackendException("The sandbox is gone.");
        }
        try {
            writeToken(child.directory(), spec.token());
            if (spec.profile().tokenDelivery() == TokenDelivery.ENVIRONMENT) {
                Process next = child.restart(() -> launch(spec, child.directory(), child.port()));
                writePidFile(child.directory(), next);
                watch(child, next);
            }
        } catch (IllegalStateException e) {
            throw new SandboxBackendException("The sandbox is gone.");
        } catch (IOException e) {
            throw new SandboxBackendException("The runtime's token could not be replaced: " + rootCause(e) + ".", e);
        }
    }

    @Override
    public void delete(String id) {
        requireNonNull(id, "id");
        ChildRuntime child = children.remove(id);
        if (child != null) {
            child.stop();
        }
        Path directory = root.resolve(id).normalize();
        if (!directory.getParent().equals(root) || !Files.isDirectory(directory)) {
            return;
        }
        if (child == null) {
            recordedProcess(directory).ifPresent(ProcessBackend::kill);
        }
        deleteRecursively(directory);
    }

    /**
     * The sandboxes whose runtime is alive: this backend's children, and the runtimes recorded in its
     * directory (so an operator command, which has no children, sees those of the running server).
     */
    @Override
    public Set<String> list() {
        Set<String> alive = new HashSet<>(children.keySet());
        if (Files.isDirectory(root)) {
            try (Stream<Path> directories = Files.list(root)) {
                directories.filter(directory -> recordedProcess(directory).isPresent())
                        .forEach(directory -> alive.add(directory.getFileName().toString()));
            } catch (IOException e) {
                throw new SandboxBackendException("The sandbox directory cannot be listed: " + rootCause(e) + ".", e);
            }
        }
        return Set.copyOf(alive);
    }

    /** Stops every runtime (they are this process's children) and releases the directory. */
    @Override
    public void close() {
        children.values().parallelStream().forEach(ChildRuntime::stop);
        children.clear();
        health.close();
        if (lock != null) {
            lock.release();
        }
    }

    private Process launch(SandboxSpec spec, Path directory, int port) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(commands.forProfile(spec.profile()))
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve(LOG_FILE).toFile()));
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.putAll(environment(spec, directory, port));
        return builder.start();
    }

    /** Exactly what the runtime is given; nothing of Gatehouse's own environment. */
    static Map<String, String> environment(SandboxSpec spec, Path directory, int port) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", directory.toString());
        env.put("TMPDIR", directory.resolve("tmp").toString());
        env.put("HOST", "127.0.0.1");
        env.put("PORT", Integer.toString(port));
        boolean byFile = spec.profile().tokenDelivery() == TokenDelivery.FILE;
        String tokenFile = directory.resolve(TOKEN_FILE).toString();
        switch (spec.access()) {
            case LlmAccess.Gateway gateway -> {
                LlmAccess.Gateway.URL_VARIABLES.forEach(name -> env.put(name, gateway.url().toString()));
                LlmAccess.Gateway.TOKEN_VARIABLES.forEach(name -> env.put(name, gateway.credential()));
                env.put(LlmAccess.Gateway.ANTHROPIC_URL_VARIABLE, gateway.anthropicUrl());
                env.put(LlmAccess.Gateway.ANTHROPIC_TOKEN_VARIABLE, gateway.credential());
                if (byFile) {
                    env.put(LlmAccess.Gateway.TOKEN_FILE_VARIABLE, tokenFile);
                }
            }
            case LlmAccess.Subscription subscription -> {
                env.put(LlmAccess.Subscription.VARIABLE_VARIABLE, subscription.variable());
                env.put(subscription.variable(), subscription.credential());
                if (byFile) {
                    env.put(subscription.variable() + "_FILE", tokenFile);
                }
            }
        }
        spec.model().ifPresent(model -> env.put("LLM_DEFAULT_MODEL", model));
        return env;
    }

    private void watch(ChildRuntime child, Process process) {
        Thread.ofVirtual().name("sandbox-health-" + child.id()).start(() -> awaitHealthy(child, process));
        process.onExit().thenAccept(exited -> onExit(child, exited));
    }

    private void awaitHealthy(ChildRuntime child, Process process) {
        HttpRequest probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + child.port() + "/healthz"))
                .timeout(Duration.ofSeconds(1)).GET().build();
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (process.isAlive() && child.isCurrent(process) && !child.stopping() && System.nanoTime() < deadline) {
            try {
                if (health.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    child.markHealthy();
                    events.running(child.id(), new SandboxEndpoint("127.0.0.1", child.port()));
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                Thread.sleep(HEALTH_POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void onExit(ChildRuntime child, Process exited) {
        if (child.exitExpected() || !child.isCurrent(exited) || !children.remove(child.id(), child)) {
            return;
        }
        String reason = "The runtime exited with status " + exited.exitValue()
                + (child.healthy() ? "." : " before it became healthy.");
        log.atWarn().addKeyValue("sandbox", child.id()).addKeyValue("status", exited.exitValue())
                .addKeyValue("logTail", logTail(child.directory()))
                .log("sandbox runtime exited");
        events.failed(child.id(), reason);
    }

    private void removeLeftover(Path directory) {
        recordedProcess(directory).ifPresent(handle -> {
            log.atWarn().addKeyValue("sandbox", directory.getFileName()).addKeyValue("pid", handle.pid())
                    .log("stopping a runtime left behind by an earlier run");
            kill(handle);
        });
        deleteRecursively(directory);
    }

    /** Kills a runtime that is not this backend's child (an earlier run's) and its descendants; waits briefly. */
    private static void kill(ProcessHandle handle) {
        handle.descendants().forEach(ProcessHandle::destroyForcibly);
        handle.destroyForcibly();
        try {
            handle.onExit().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.atWarn().addKeyValue("pid", handle.pid()).log("a killed runtime did not exit within 5s");
        }
    }

    /** The live process recorded in {@code directory}, if the pid is still that process (same start time). */
    private static Optional<ProcessHandle> recordedProcess(Path directory) {
        Path pidFile = directory.resolve(PID_FILE);
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            String[] fields = Files.readString(pidFile).strip().split(" ");
            long pid = Long.parseLong(fields[0]);
            long started = Long.parseLong(fields[1]);
            return ProcessHandle.of(pid).filter(handle -> handle.info().startInstant()
                    .map(instant -> instant.toEpochMilli() == started).orElse(false));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void writePidFile(Path directory, Process process) throws IOException {
        long started = process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        Files.writeString(directory.resolve(PID_FILE), process.pid() + " " + started + "\n");
    }

    /** Written to a temporary file, then renamed over the old one: the runtime never reads half a token. */
    private static void writeToken(Path directory, String token) throws IOException {
        Path temporary = Files.createTempFile(directory, ".api-key", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(temporary, token, StandardCharsets.US_ASCII);
            Files.move(temporary, directory.resolve(TOKEN_FILE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static void createPrivateDirectory(Path directory) {
        try {
            if (!Files.isDirectory(directory)) {
                Files.createDirectories(directory,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + directory, e);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String logTail(Path directory) {
        Path file = directory.resolve(LOG_FILE);
        try {
            byte[] bytes = Files.readAllBytes(file);
            int from = Math.max(0, bytes.length - LOG_TAIL_BYTES);
            return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static void deleteRecursively(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    log.atWarn().addKeyValue("path", path).log("cannot delete a sandbox file: " + e.getMessage());
                }
            });
        } catch (IOException e) {
            log.atWarn().addKeyValue("path", directory).log("cannot delete a sandbox directory: " + e.getMessage());
        }
    }

    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
