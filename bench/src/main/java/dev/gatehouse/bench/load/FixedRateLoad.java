package dev.gatehouse.bench.load;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * An HTTP load generator for {@code POST /v1/chat/completions}-style endpoints, with HdrHistogram
 * latency recording. Two modes:
 *
 * <ul>
 *   <li>{@code --mode rate} (default): <b>open loop</b> at a fixed rate. A scheduler thread issues
 *       request {@code i} at {@code start + i / rate} whether or not earlier ones have answered, and
 *       each latency is measured from that <em>intended</em> send time, so a stalled server is charged
 *       for the whole stall (no coordinated omission). Requests still waiting when more than
 *       {@code --max-in-flight} are outstanding are not sent and are counted as errors.</li>
 *   <li>{@code --mode max}: <b>closed loop</b>, {@code --concurrency} requests in flight, each sent
 *       when the previous one finished: the throughput ceiling. Its latencies are measured from the
 *       actual send and do suffer from coordinated omission; use them only next to the rate.</li>
 * </ul>
 *
 * <p>Requests during {@code --warmup-s} are sent but not recorded; then {@code --duration-s} are
 * measured. Everything is bounded: the run never lasts longer than warm-up + duration + drain
 * ({@code --drain-s}, default 10 s), and never sends more than {@code --max-requests}. With
 * {@code --stream} the body asks for SSE and the time to the first body byte (TTFB) is recorded
 * besides the time to the end of the stream. With {@code --server-timing} the {@code gateway;dur=}
 * of Gatehouse's {@code Server-Timing} header is recorded too (the gateway's own view of its cost).
 *
 * <p>Prints a human summary and one machine-readable {@code RESULT key=value ...} line (latencies in
 * microseconds). Example:
 * <pre>{@code
 * java -cp bench/target/benchmarks.jar dev.gatehouse.bench.load.FixedRateLoad \
 *     --url http://127.0.0.1:8080/v1/chat/completions --token "$TOKEN" --rate 1000 --warmup-s 10 --duration-s 30
 * }</pre>
 */
public final class FixedRateLoad {
    private static final long HIGHEST_US = TimeUnit.SECONDS.toMicros(120);

    private final String name;
    private final URI url;
    private final String authorization;
    private final Buffer body;
    private final boolean stream;
    private final boolean serverTiming;
    private final long timeoutMs;
    private final Vertx vertx;
    private final HttpClient client;
    private final Context[] contexts;

    private final Histogram latency = new SynchronizedHistogram(HIGHEST_US, 3);
    private final Histogram ttfb = new SynchronizedHistogram(HIGHEST_US, 3);
    private final Histogram gatewayTime = new SynchronizedHistogram(HIGHEST_US, 3);
    private final LongAdder measuredSent = new LongAdder();
    private final LongAdder measuredDone = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final Map<String, LongAdder> errorKinds = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    private final AtomicInteger openStreams = new AtomicInteger();
    private final AtomicInteger peakOpenStreams = new AtomicInteger();
    private final AtomicLong sentTotal = new AtomicLong();

    private FixedRateLoad(Map<String, String> args) {
        this.name = Args.stringArg(args, "name", "load");
        this.url = URI.create(required(args, "url"));
        if (url.getPort() <= 0 || url.getHost() == null) {
            throw new IllegalArgumentException("--url: " + url + " (expected: http://host:port/path)");
        }
        String token = args.get("token");
        this.authorization = token == null || token.isEmpty() ? null : "Bearer " + token;
        this.stream = args.containsKey("stream");
        this.serverTiming = args.containsKey("server-timing");
        this.timeoutMs = Args.intArg(args, "timeout-ms", 10_000);
        String model = Args.stringArg(args, "model", "bench");
        this.body = Buffer.buffer("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Say hello to the benchmark.\"}],\"max_tokens\":16" + (stream ? ",\"stream\":true" : "") + "}");
        int eventLoops = Args.intArg(args, "event-loops", 2);
        int connections = Math.max(Args.intArg(args, "connections", 256), Args.intArg(args, "concurrency", 0));
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                        .setKeepAliveTimeout(300).setConnectTimeout(5_000).setIdleTimeout(0),
                new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1).setEventLoopSize(eventLoops));
        this.contexts = new Context[eventLoops];
        for (int i = 0; i < eventLoops; i++) {
            // A context created from a non-Vert.x thread is bound to the next event loop, round robin.
            contexts[i] = vertx.getOrCreateContext();
        }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Args.parse(argv);
        FixedRateLoad load = new FixedRateLoad(args);
        String mode = Args.stringArg(args, "mode", "rate");
        long warmupNs = TimeUnit.SECONDS.toNanos(Args.intArg(args, "warmup-s", 10));
        long durationNs = TimeUnit.SECONDS.toNanos(Args.intArg(args, "duration-s", 30));
        long drainNs = TimeUnit.SECONDS.toNanos(Args.intArg(args, "drain-s", 10));
        long maxRequests = Long.parseLong(Args.stringArg(args, "max-requests", "20000000").replace("_", ""));
        try {
            switch (mode) {
                case "rate" -> load.openLoop(Args.intArg(args, "rate", 1000), warmupNs, durationNs, drainNs,
                        Args.intArg(args, "max-in-flight", 20_000), maxRequests);
                case "max" -> load.closedLoop(Args.intArg(args, "concurrency", 64), warmupNs, durationNs, drainNs, maxRequests);
                default -> throw new IllegalArgumentException("--mode: " + mode + " (expected: rate or max)");
            }
        } finally {
            load.client.close().await();
            load.vertx.close().await();
        }
    }

    // --- open loop ------------------------------------------------------------------------------

    private void openLoop(int rate, long warmupNs, long durationNs, long drainNs, int maxInFlight, long maxRequests) {
        if (rate <= 0) {
            throw new IllegalArgumentException("--rate: " + rate + " (expected: > 0)");
        }
        long total = Math.min(maxRequests, (long) Math.ceil((warmupNs + durationNs) / 1e9 * rate));
        double intervalNs = 1e9 / rate;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        long measureFrom = start + warmupNs;
        long measureTo = start + warmupNs + durationNs;
        Progress progress = new Progress(start, measureFrom);
        long dropped = 0;
        for (long i = 0; i < total; i++) {
            long intended = start + (long) (i * intervalNs);
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (System.nanoTime() > measureTo + drainNs) {
                break; // hopelessly behind: bounded in time no matter what
            }
            boolean measured = intended >= measureFrom;
            if (inFlight.get() >= maxInFlight) {
                dropped++;
                if (measured) {
                    measuredSent.increment();
                    error("dropped(max-in-flight)");
                }
                continue;
            }
            if (measured) {
                measuredSent.increment();
            }
            Context context = contexts[(int) (i % contexts.length)];
            context.runOnContext(v -> send(intended, measured, null));
            progress.maybePrint();
        }
        awaitDrain(measureTo + drainNs, progress);
        double seconds = durationNs / 1e9;
        report("rate", rate, measuredSent.sum() / seconds, measuredDone.sum() / seconds, dropped);
    }

    // --- closed loop ----------------------------------------------------------------------------

    private void closedLoop(int concurrency, long warmupNs, long durationNs, long drainNs, long maxRequests) {
        long start = System.nanoTime();
        long measureFrom = start + warmupNs;
        long measureTo = measureFrom + durationNs;
        Progress progress = new Progress(start, measureFrom);
        for (int i = 0; i < concurrency; i++) {
            Context context = contexts[i % contexts.length];
            context.runOnContext(v -> worker(measureFrom, measureTo, maxRequests));
        }
        while (System.nanoTime() < measureTo) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            progress.maybePrint();
        }
        awaitDrain(measureTo + drainNs, progress);
        double seconds = durationNs / 1e9;
        report("max", concurrency, measuredSent.sum() / seconds, measuredDone.sum() / seconds, 0);
    }

    private void worker(long measureFrom, long measureTo, long maxRequests) {
        long now = System.nanoTime();
        if (now >= measureTo || sentTotal.get() >= maxRequests) {
            return;
        }
        boolean measured = now >= measureFrom;
        if (measured) {
            measuredSent.increment();
        }
        send(now, measured, () -> worker(measureFrom, measureTo, maxRequests));
    }

    // --- one request ----------------------------------------------------------------------------

    private void send(long startNs, boolean measured, Runnable next) {
        sentTotal.incrementAndGet();
        peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(url.getHost())
                .setPort(url.getPort()).setURI(url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()))
                .setIdleTimeout(timeoutMs).putHeader("Content-Type", "application/json");
        if (authorization != null) {
            options.putHeader("Authorization", authorization);
        }
        try {
            client.request(options)
                    .compose(request -> request.send(body))
                    .onSuccess(response -> onResponse(response, startNs, measured, next))
                    .onFailure(failure -> finish(measured, next, failure.getClass().getSimpleName()));
        } catch (RuntimeException e) {
            finish(measured, next, e.getClass().getSimpleName());
        }
    }

    private void onResponse(HttpClientResponse response, long startNs, boolean measured, Runnable next) {
        if (response.statusCode() != 200) {
            response.body().onComplete(ignored -> finish(measured, next, "status " + response.statusCode()));
            return;
        }
        if (measured && serverTiming) {
            recordServerTiming(response.getHeader("Server-Timing"));
        }
        boolean[] first = {true};
        response.handler(chunk -> {
            if (first[0]) {
                first[0] = false;
                if (stream) {
                    peakOpenStreams.accumulateAndGet(openStreams.incrementAndGet(), Math::max);
                    if (measured) {
                        ttfb.recordValue(Math.min(HIGHEST_US, micros(System.nanoTime() - startNs)));
                    }
                }
            }
        });
        response.exceptionHandler(failure -> {
            if (stream && !first[0]) {
                openStreams.decrementAndGet();
            }
            finish(measured, next, "body: " + failure.getClass().getSimpleName());
        });
        response.endHandler(v -> {
            if (stream && !first[0]) {
                openStreams.decrementAndGet();
            }
            if (measured) {
                latency.recordValue(Math.min(HIGHEST_US, micros(System.nanoTime() - startNs)));
                measuredDone.increment();
            }
            inFlight.decrementAndGet();
            if (next != null) {
                next.run();
            }
        });
    }

    private void finish(boolean measured, Runnable next, String errorKind) {
        inFlight.decrementAndGet();
        if (measured) {
            error(errorKind);
        }
        if (next != null) {
            // Back off a little so a failing target is not hammered in a tight loop.
            vertx.setTimer(10, t -> next.run());
        }
    }

    private void error(String kind) {
        errors.increment();
        errorKinds.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    private void recordServerTiming(String header) {
        if (header == null) {
            return;
        }
        int at = header.indexOf("dur=");
        if (at < 0) {
            return;
        }
        int end = at + 4;
        while (end < header.length() && (Character.isDigit(header.charAt(end)) || header.charAt(end) == '.')) {
            end++;
        }
        double ms = Double.parseDouble(header.substring(at + 4, end));
        gatewayTime.recordValue(Math.min(HIGHEST_US, Math.round(ms * 1000)));
    }

    private void awaitDrain(long deadline, Progress progress) {
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            progress.maybePrint();
        }
        if (inFlight.get() > 0) {
            System.out.printf("%s: %d requests still in flight at the drain deadline (not counted)%n", name, inFlight.get());
        }
    }

    // --- output ---------------------------------------------------------------------------------

    private void report(String mode, int target, double sentRate, double doneRate, long dropped) {
        StringBuilder line = new StringBuilder("RESULT name=").append(name).append(" mode=").append(mode)
                .append(mode.equals("rate") ? " target_rps=" : " concurrency=").append(target)
                .append(String.format(Locale.ROOT, " sent_rps=%.1f achieved_rps=%.1f", sentRate, doneRate))
                .append(" count=").append(latency.getTotalCount()).append(" errors=").append(errors.sum())
                .append(" dropped=").append(dropped).append(" peak_in_flight=").append(peakInFlight.get());
        if (stream) {
            line.append(" peak_open_streams=").append(peakOpenStreams.get());
        }
        append(line, "", latency);
        if (stream) {
            append(line, "ttfb_", ttfb);
        }
        if (serverTiming && gatewayTime.getTotalCount() > 0) {
            append(line, "gw_", gatewayTime);
        }
        System.out.printf(Locale.ROOT, "%n== %s (%s) ==%n", name, mode.equals("rate")
                ? "open loop, " + target + " req/s" : "closed loop, " + target + " concurrent");
        System.out.printf(Locale.ROOT, "achieved %.1f req/s completed (%.1f sent), %d errors%s%n", doneRate, sentRate,
                errors.sum(), errorKinds.isEmpty() ? "" : " " + new TreeMap<>(errorKinds));
        human(stream ? "total" : "latency", latency);
        if (stream) {
            human("ttfb", ttfb);
        }
        if (serverTiming && gatewayTime.getTotalCount() > 0) {
            human("gateway Server-Timing", gatewayTime);
        }
        System.out.println(line);
    }

    private static void append(StringBuilder line, String prefix, Histogram h) {
        line.append(' ').append(prefix).append("p50_us=").append(h.getValueAtPercentile(50))
                .append(' ').append(prefix).append("p90_us=").append(h.getValueAtPercentile(90))
                .append(' ').append(prefix).append("p99_us=").append(h.getValueAtPercentile(99))
                .append(' ').append(prefix).append("p999_us=").append(h.getValueAtPercentile(99.9))
                .append(' ').append(prefix).append("max_us=").append(h.getMaxValue());
    }

    private static void human(String label, Histogram h) {
        System.out.printf(Locale.ROOT, "  %-22s n=%d  p50 %.3f ms  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n", label,
                h.getTotalCount(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3,
                h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
    }

    private static long micros(long nanos) {
        return TimeUnit.NANOSECONDS.toMicros(nanos);
    }

    private static String required(Map<String, String> args, String key) {
        String value = args.get(key);
        if (value == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return value;
    }

    /** A progress line every 5 s, so a long run shows it is alive (and how many streams are open). */
    private final class Progress {
        private final long start;
        private final long measureFrom;
        private long nextPrint;

        Progress(long start, long measureFrom) {
            this.start = start;
            this.measureFrom = measureFrom;
            this.nextPrint = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        }

        void maybePrint() {
            long now = System.nanoTime();
            if (now < nextPrint) {
                return;
            }
            nextPrint = now + TimeUnit.SECONDS.toNanos(5);
            System.out.printf(Locale.ROOT, "%s: t=%.0fs %s sent=%d in_flight=%d open_streams=%d errors=%d%n", name,
                    (now - start) / 1e9, now < measureFrom ? "warm-up" : "measuring", sentTotal.get(), inFlight.get(),
                    openStreams.get(), errors.sum());
        }
    }
}
