package dev.gatehouse.server.store;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Test helpers for {@link GroupCommitter}. */
public final class GroupCommitters {
    private GroupCommitters() {}

    /**
     * Holds every writer of {@code committer} inside a transaction until the returned latch is
     * counted down, so that whatever is submitted meanwhile waits in the queue and then commits as
     * one batch. One holding item at a time: each is taken by a writer that is not held yet.
     */
    public static CountDownLatch holdWriters(GroupCommitter committer) throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < committer.writers(); i++) {
            CountDownLatch held = new CountDownLatch(1);
            committer.submit((handle, items) -> {
                held.countDown();
                try {
                    if (!release.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the writer was held for 30 s: the test never released it");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                return items.stream().map(WriteOutcome::written).toList();
            }, "hold");
            if (!held.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("no writer took the holding item within 10 s");
            }
        }
        return release;
    }
}
