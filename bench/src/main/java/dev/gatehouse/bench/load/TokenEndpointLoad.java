package dev.gatehouse.bench.load;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop HTTP load driver for token endpoints: {@code C} workers, each with one request in
 * flight at a time over its own kept-alive HTTP/1.1 connection ({@link KeptAliveConnection}), first
 * for a warm-up period (discarded), then for a fixed measured period. Every measured request's
 * latency (send to last body byte) goes into an HdrHistogram; a response that is not 2xx, or whose
 * body lacks the expected text, or an I/O failure is an error, and a run with any error is flagged
 * (exit status 3).
 *
 * <p>Closed loop: a slow response delays that worker's next request, so latencies are those seen
 * at this concurrency, not under a fixed arrival rate (no coordinated-omission correction).
 *
 * <p>Bounded: loopback targets only, at most {@value #MAX_CONCURRENCY} workers, at most
 * {@value #MAX_SECONDS} s per phase, at most {@code --max-requests} measured requests.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.gatehouse.bench.load.TokenEndpointLoad \
 *   --name keycloak --url http://127.0.0.1:8081/realms/bench/protocol/openid-connect/token \
 *   --content-type application/x-www-form-urlencoded --body 'grant_type=client_credentials&amp;client_id=..' \
 *   --expect access_token --concurrency 16 --warmup 10s --duration 30s --json-out /tmp/kc.json
 * </pre>
 * Prints a Markdown table row and a JSON object on standard output.
 */
public final class TokenEndpointLoad {
    static final int MAX_CONCURRENCY = 256;
    static final int MAX_SECONDS = 600;
    /** Latencies are recorded in microseconds, up to a minute, 3 significant digits. */
    private static final long HIGHEST_MICROS = Duration.ofMinutes(1).toNanos() / 1000;

    private TokenEndpointLoad() {}

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("TokenEndpointLoad: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        Result result = run(options);
        PrintStream out = System.out;
        out.println(Result.TABLE_HEADER);
        out.println(result.tableRow());
        out.println(result.cpuLine());
        String json = result.json();
        out.println(json);
        if (options.jsonOut() != null) {
            Files.writeString(options.jsonOut(), json + "\n", StandardCharsets.UTF_8);
        }
        if (result.flagged()) {
            System.err.println("TokenEndpointLoad: FLAGGED: " + result.errors() + " error(s) " + result.errorsByKind());
            System.exit(3);
        }
    }

    static Result run(Options options) throws InterruptedException {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("Content-Type", options.contentType());
        headers.putAll(options.headers());
        byte[] expected = options.expect() == null ? null : options.expect().getBytes(StandardCharsets.UTF_8);

        long start = System.nanoTime();
        long measureStart = start + options.warmup().toNanos();
        long measureEnd = measureStart + options.duration().toNanos();
        AtomicLong measuredBudget = new AtomicLong(options.maxRequests());
        List<Worker> workers = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(options.concurrency());
        for (int i = 0; i < options.concurrency(); i++) {
            List<byte[]> requests = new ArrayList<>();
            for (String bearer : bearersOf(i, options.concurrency(), options.bearers())) {
                Map<String, String> withBearer = new TreeMap<>(headers);
                withBearer.put("Authorization", "Bearer " + bearer);
                requests.add(KeptAliveConnection.post(options.url(), withBearer, options.body()));
            }
            if (requests.isEmpty()) {
                requests.add(KeptAliveConnection.post(options.url(), headers, options.body()));
            }
            Worker worker = new Worker(new KeptAliveConnection(options.url()), requests, expected, measureStart,
                    measureEnd, measuredBudget, done);
            workers.add(worker);
            Thread.ofPlatform().name("load-" + i).daemon().start(worker);
        }
        // CPU use of the machine, this driver and the watched server over the measured window, so that
        // a run disturbed by other work on the machine shows itself (other_cores well above 0).
        long untilMeasuring = measureStart - System.nanoTime();
        CpuSample before = null;
        if (untilMeasuring <= 0 || !done.await(untilMeasuring, java.util.concurrent.TimeUnit.NANOSECONDS)) {
            before = CpuSample.take(options.watchPids());
        }
        done.await();
        CpuSample after = CpuSample.take(options.watchPids());

        Histogram latencies = new Histogram(HIGHEST_MICROS, 3);
        Map<String, Long> errorsByKind = new TreeMap<>();
        long ok = 0;
        long warmupRequests = 0;
        long lastCompletion = measureStart;
        for (Worker worker : workers) {
            latencies.add(worker.latencies);
            ok += worker.ok;
            warmupRequests += worker.warmupRequests;
            lastCompletion = Math.max(lastCompletion, worker.lastCompletion);
            worker.errors.forEach((kind, count) -> errorsByKind.merge(kind, count, Long::sum));
        }
        // Requests started in the window are counted; the window ends with the last of them.
        Duration measured = Duration.ofNanos(Math.max(lastCompletion, measureEnd) - measureStart);
        return new Result(options.name(), options.concurrency(), measured, warmupRequests, ok, errorsByKind, latencies,
                before == null ? null : after.minus(before));
    }

    /**
     * CPU time from Linux {@code /proc} (clock ticks of 10 ms): the whole machine (busy, i.e. not
     * idle or waiting for I/O), this process, and the watched processes. Zero where unreadable.
     */
    record CpuSample(long nanos, double machineSeconds, double driverSeconds, double watchedSeconds) {
        private static final double TICK_SECONDS = 0.01;

        static CpuSample take(List<Long> watchPids) {
            double watched = 0;
            for (long pid : watchPids) {
                watched += processSeconds(Path.of("/proc", Long.toString(pid), "stat"));
            }
            return new CpuSample(System.nanoTime(), readMachineSeconds(), processSeconds(Path.of("/proc/self/stat")), watched);
        }

        CpuUse minus(CpuSample earlier) {
            double window = (nanos - earlier.nanos) / 1e9;
            return new CpuUse(window, (machineSeconds - earlier.machineSeconds) / window,
                    (driverSeconds - earlier.driverSeconds) / window, (watchedSeconds - earlier.watchedSeconds) / window);
        }

        private static double readMachineSeconds() {
            try {
                String[] cpu = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
                long busy = 0;
                for (int i = 1; i < cpu.length && i <= 8; i++) {
                    if (i != 4 && i != 5) { // idle, iowait
                        busy += Long.parseLong(cpu[i]);
                    }
                }
                return busy * TICK_SECONDS;
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }

        private static double processSeconds(Path stat) {
            try {
                String text = Files.readString(stat);
                String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
                // After the command: state is field 3; utime, stime are fields 14, 15 (index 11, 12 here).
                return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * TICK_SECONDS;
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }
    }

    /** Average cores busy over the measured window; {@code other} is what neither driver nor server used. */
    record CpuUse(double windowSeconds, double machineCores, double driverCores, double serverCores) {
        double otherCores() {
            return Math.max(0, machineCores - driverCores - serverCores);
        }
    }

    /**
     * The bearers worker {@code i} takes turns with: line {@code i mod n} when there are at most as
     * many lines as workers, else every line {@code j} with {@code j mod C == i}.
     */
    static List<String> bearersOf(int worker, int concurrency, List<String> bearers) {
        if (bearers.size() <= concurrency) {
            return bearers.isEmpty() ? List.of() : List.of(bearers.get(worker % bearers.size()));
        }
        List<String> own = new ArrayList<>();
        for (int j = worker; j < bearers.size(); j += concurrency) {
            own.add(bearers.get(j));
        }
        return own;
    }

    private static final class Worker implements Runnable {
        final Histogram latencies = new Histogram(HIGHEST_MICROS, 3);
        final Map<String, Long> errors = new TreeMap<>();
        long ok;
        long warmupRequests;
        long lastCompletion;

        private final KeptAliveConnection connection;
        private final List<byte[]> requests;
        private final byte[] expected;
        private final long measureStart;
        private final long measureEnd;
        private final AtomicLong measuredBudget;
        private final CountDownLatch done;

        private int next;

        Worker(KeptAliveConnection connection, List<byte[]> requests, byte[] expected, long measureStart,
                long measureEnd, AtomicLong measuredBudget, CountDownLatch done) {
            this.connection = connection;
            this.requests = List.copyOf(requests);
            this.expected = expected;
            this.measureStart = measureStart;
            this.measureEnd = measureEnd;
            this.measuredBudget = measuredBudget;
            this.done = done;
        }

        @Override
        public void run() {
            try {
                while (true) {
                    long sent = System.nanoTime();
                    if (sent >= measureEnd) {
                        return;
                    }
                    boolean measuring = sent >= measureStart;
                    if (measuring && measuredBudget.decrementAndGet() < 0) {
                        return;
                    }
                    String error = send();
                    long received = System.nanoTime();
                    if (!measuring) {
                        warmupRequests++;
                        continue;
                    }
                    lastCompletion = received;
                    latencies.recordValue(Math.min(HIGHEST_MICROS, Math.max(1, (received - sent) / 1000)));
                    if (error == null) {
                        ok++;
                    } else {
                        errors.merge(error, 1L, Long::sum);
                    }
                }
            } finally {
                connection.close();
                done.countDown();
            }
        }

        /** Null when the response is 2xx (and holds the expected text), else the kind of error. */
        private String send() {
            try {
                byte[] request = requests.get(next);
                next = (next + 1) % requests.size();
                KeptAliveConnection.Response response = connection.exchange(request);
                int status = response.status();
                if (status < 200 || status > 299) {
                    return "status_" + status;
                }
                if (expected != null && !contains(response.body(), expected)) {
                    return "body_without_expected_text";
                }
                return null;
            } catch (IOException | RuntimeException e) {
                return "io_" + e.getClass().getSimpleName();
            }
        }

        private static boolean contains(byte[] body, byte[] text) {
            outer:
            for (int i = 0; i + text.length <= body.length; i++) {
                for (int j = 0; j < text.length; j++) {
                    if (body[i + j] != text[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }
    }

    /** One run's outcome. Latencies in microseconds. */
    record Result(String name, int concurrency, Duration measured, long warmupRequests, long ok,
            Map<String, Long> errorsByKind, Histogram latencies, CpuUse cpu) {
        static final String TABLE_HEADER = "| system | C | measured s | requests | tokens/s | p50 ms | p90 ms | p99 ms"
                + " | p99.9 ms | max ms | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

        long errors() {
            return errorsByKind.values().stream().mapToLong(Long::longValue).sum();
        }

        boolean flagged() {
            return errors() > 0;
        }

        double tokensPerSecond() {
            return ok / (measured.toNanos() / 1e9);
        }

        double percentileMillis(double percentile) {
            return latencies.getValueAtPercentile(percentile) / 1000.0;
        }

        String tableRow() {
            return String.format(Locale.ROOT, "| %s | %d | %.1f | %,d | %,.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %s |",
                    name, concurrency, measured.toNanos() / 1e9, ok + errors(), tokensPerSecond(),
                    percentileMillis(50), percentileMillis(90), percentileMillis(99), percentileMillis(99.9),
                    latencies.getMaxValue() / 1000.0, flagged() ? "**" + errors() + " FLAGGED**" : "0");
        }

        String json() {
            StringBuilder errors = new StringBuilder("{");
            errorsByKind.forEach((kind, count) -> errors.append(errors.length() > 1 ? "," : "")
                    .append('"').append(kind).append("\":").append(count));
            errors.append('}');
            return String.format(Locale.ROOT, "{\"system\":\"%s\",\"concurrency\":%d,\"measured_seconds\":%.3f,"
                            + "\"warmup_requests\":%d,\"requests\":%d,\"ok\":%d,\"errors\":%d,\"errors_by_kind\":%s,"
                            + "\"flagged\":%b,\"tokens_per_second\":%.1f,\"latency_ms\":{\"p50\":%.3f,\"p90\":%.3f,"
                            + "\"p99\":%.3f,\"p99_9\":%.3f,\"max\":%.3f,\"mean\":%.3f},\"cpu_cores\":%s}",
                    name.replaceAll("[\"\\\\\\p{Cntrl}]", "?"), concurrency, measured.toNanos() / 1e9, warmupRequests,
                    ok + errors(), ok, errors(), errors, flagged(), tokensPerSecond(), percentileMillis(50),
                    percentileMillis(90), percentileMillis(99), percentileMillis(99.9), latencies.getMaxValue() / 1000.0,
                    latencies.getMean() / 1000.0, cpu == null ? "null" : String.format(Locale.ROOT,
                            "{\"machine\":%.2f,\"server\":%.2f,\"driver\":%.2f,\"other\":%.2f}",
                            cpu.machineCores(), cpu.serverCores(), cpu.driverCores(), cpu.otherCores()));
        }

        String cpuLine() {
            if (cpu == null) {
                return "cpu: not sampled";
            }
            double perToken = ok == 0 ? 0 : cpu.serverCores() * cpu.windowSeconds() / ok * 1000;
            return String.format(Locale.ROOT, "cpu over the measured window (cores busy): machine %.2f, server %.2f,"
                    + " driver %.2f, other %.2f; server CPU per token %.2f ms", cpu.machineCores(), cpu.serverCores(),
                    cpu.driverCores(), cpu.otherCores(), perToken);
        }
    }

    /** Command-line options, validated. */
    record Options(String name, URI url, String contentType, String body, Map<String, String> headers,
            List<String> bearers, String expect, int concurrency, Duration warmup, Duration duration, long maxRequests,
            Path jsonOut, List<Long> watchPids) {
        static final String USAGE = """
                usage: TokenEndpointLoad --url http://127.0.0.1:PORT/path [--name NAME]
                         [--content-type TYPE] [--body TEXT | --body-file FILE] [--header 'Name: value']...
                         [--header-file FILE (one 'Name: value' per line; keeps credentials off the command line)]
                         [--bearer-file FILE (one token per line; worker i sends line i mod n, or with more lines than
                           workers takes turns with every line j where j mod C = i)]
                         [--expect TEXT (a 2xx body must contain it)] [--concurrency 16] [--warmup 10s]
                         [--duration 30s] [--max-requests 5000000] [--json-out FILE]
                         [--watch-pid PID (the server; its CPU use in the measured window is reported)]...""";

        Options {
            requireNonNull(name, "name");
            requireNonNull(url, "url");
            headers = Map.copyOf(headers);
            bearers = List.copyOf(bearers);
            watchPids = List.copyOf(watchPids);
            if (!"http".equals(url.getScheme()) || url.getHost() == null) {
                throw new IllegalArgumentException("--url: " + url + " (expected: an http:// URL)");
            }
            if (!isLoopback(url.getHost())) {
                throw new IllegalArgumentException("--url: " + url + " (expected: a loopback host; this driver only "
                        + "loads the local machine)");
            }
            if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
                throw new IllegalArgumentException("--concurrency: " + concurrency + " (expected: 1.." + MAX_CONCURRENCY + ")");
            }
            requirePhase("--warmup", warmup, true);
            requirePhase("--duration", duration, false);
            if (maxRequests < 1) {
                throw new IllegalArgumentException("--max-requests: " + maxRequests + " (expected: > 0)");
            }
        }

        static Options parse(String[] args) throws IOException {
            String name = "load";
            URI url = null;
            String contentType = "application/json";
            String body = "";
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            List<String> bearers = new ArrayList<>();
            String expect = null;
            int concurrency = 16;
            Duration warmup = Duration.ofSeconds(10);
            Duration duration = Duration.ofSeconds(30);
            long maxRequests = 5_000_000;
            Path jsonOut = null;
            List<Long> watchPids = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(option + ": missing value");
                }
                String value = args[++i];
                switch (option) {
                    case "--name" -> name = value;
                    case "--url" -> url = URI.create(value);
                    case "--content-type" -> contentType = value;
                    case "--body" -> body = value;
                    case "--body-file" -> body = Files.readString(Path.of(value));
                    case "--header" -> addHeader(headers, value);
                    case "--header-file" -> {
                        for (String line : Files.readAllLines(Path.of(value))) {
                            if (!line.isBlank()) {
                                addHeader(headers, line);
                            }
                        }
                    }
                    case "--bearer-file" -> Files.readAllLines(Path.of(value)).stream()
                            .map(String::strip).filter(line -> !line.isEmpty()).forEach(bearers::add);
                    case "--expect" -> expect = value;
                    case "--concurrency" -> concurrency = Integer.parseInt(value);
                    case "--warmup" -> warmup = seconds(option, value);
                    case "--duration" -> duration = seconds(option, value);
                    case "--max-requests" -> maxRequests = Long.parseLong(value);
                    case "--json-out" -> jsonOut = Path.of(value);
                    case "--watch-pid" -> watchPids.add(Long.parseLong(value));
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            }
            if (url == null) {
                throw new IllegalArgumentException("--url is required");
            }
            return new Options(name, url, contentType, body, headers, bearers, expect, concurrency, warmup, duration,
                    maxRequests, jsonOut, watchPids);
        }

        private static void addHeader(Map<String, String> headers, String header) {
            int colon = header.indexOf(':');
            if (colon < 1) {
                throw new IllegalArgumentException("--header: expected 'Name: value' (value not shown)");
            }
            headers.put(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
        }

        private static Duration seconds(String option, String value) {
            String digits = value.endsWith("s") ? value.substring(0, value.length() - 1) : value;
            try {
                return Duration.ofSeconds(Long.parseLong(digits));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": " + value + " (expected: whole seconds such as 30s)");
            }
        }

        private static void requirePhase(String option, Duration value, boolean zeroAllowed) {
            if (value.isNegative() || (!zeroAllowed && value.isZero()) || value.toSeconds() > MAX_SECONDS) {
                throw new IllegalArgumentException(option + ": " + value.toSeconds() + "s (expected: "
                        + (zeroAllowed ? "0" : "1") + ".." + MAX_SECONDS + "s)");
            }
        }

        private static boolean isLoopback(String host) {
            try {
                for (InetAddress address : InetAddress.getAllByName(host)) {
                    if (!address.isLoopbackAddress()) {
                        return false;
                    }
                }
                return true;
            } catch (UnknownHostException e) {
                return false;
            }
        }
    }
}
