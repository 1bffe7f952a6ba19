package dev.gatehouse.server.store;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Test helpers for {@link GroupCommitter}. */
public final class GroupCommitters {
    private GroupCommitters() {}

    /**
     * Holds {@code committer}'s writer inside a transaction until the returned latch is counted down,
     * so that whatever is submitted meanwhile waits in the queue and then commits as one batch.
     */
    public static CountDownLatch holdWriter(GroupCommitter committer) throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
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
            throw new AssertionError("the writer did not take the holding item within 10 s");
        }
        return release;
    }
}
