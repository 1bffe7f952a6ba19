package dev.gatehouse.server.gateway.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoopTimersTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    void aTimer_runsOnTheContextThatSetIt_afterItsDelay() throws Exception {
        Context context = vertx.getOrCreateContext();
        CompletableFuture<Context> ranOn = new CompletableFuture<>();
        long[] set = new long[1];
        long[] ran = new long[1];
        context.runOnContext(v -> {
            set[0] = System.nanoTime();
            LoopTimers.ofCurrentContext().schedule(Duration.ofMillis(30).toNanos(), () -> {
                ran[0] = System.nanoTime();
                ranOn.complete(Vertx.currentContext());
            });
        });

        assertThat(ranOn.get(5, TimeUnit.SECONDS)).isSameAs(context);
        assertThat(ran[0] - set[0]).isGreaterThanOrEqualTo(Duration.ofMillis(30).toNanos());
    }

    @Test
    void aCancelledTimer_neverRuns() throws Exception {
        AtomicBoolean ran = new AtomicBoolean();
        Promise<Void> later = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> {
            LoopTimers timers = LoopTimers.ofCurrentContext();
            ScheduledFuture<?> timer = timers.schedule(Duration.ofMillis(20).toNanos(), () -> ran.set(true));
            timer.cancel(false);
            timers.schedule(Duration.ofMillis(100).toNanos(), later::complete);
        });

        later.future().await(5, TimeUnit.SECONDS);
        assertThat(ran).isFalse();
    }

    @Test
    void offAnEventLoopContext_isRefused() {
        assertThatThrownBy(LoopTimers::ofCurrentContext).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("event loop");
        String onWorker = vertx.executeBlocking(() -> {
            try {
                LoopTimers.ofCurrentContext();
                return "accepted";
            } catch (IllegalStateException e) {
                return "refused";
            }
        }).await();
        assertThat(onWorker).isEqualTo("refused");
    }
}
