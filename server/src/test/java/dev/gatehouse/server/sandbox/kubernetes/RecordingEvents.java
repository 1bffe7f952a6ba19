package dev.gatehouse.server.sandbox.kubernetes;

import dev.gatehouse.server.sandbox.SandboxEndpoint;
import dev.gatehouse.server.sandbox.SandboxEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Records the events a backend reports; tests wait for one without sleeping. */
final class RecordingEvents implements SandboxEvents {
    /** {@code running} with the endpoint, or {@code failed} with the reason. */
    record Event(String kind, String id, String detail) {}

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final List<Event> events = new ArrayList<>();

    @Override
    public void running(String id, SandboxEndpoint endpoint) {
        add(new Event("running", id, endpoint.toString()));
    }

    @Override
    public void failed(String id, String reason) {
        add(new Event("failed", id, reason));
    }

    /** The first event about sandbox {@code id} matching {@code kind}, waiting for it up to 10 s. */
    synchronized Event await(String kind, String id) throws InterruptedException {
        Predicate<Event> wanted = event -> event.kind().equals(kind) && event.id().equals(id);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (events.stream().noneMatch(wanted)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no " + kind + " event for " + id + " within " + TIMEOUT + "; got " + events);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return events.stream().filter(wanted).findFirst().orElseThrow();
    }

    /** Every event about sandbox {@code id} so far. */
    synchronized List<Event> about(String id) {
        return events.stream().filter(event -> event.id().equals(id)).toList();
    }

    private synchronized void add(Event event) {
        events.add(event);
        notifyAll();
    }
}
