package dev.gatehouse.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventLoopClientsTest {
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    void eachEventLoopGetsItsOwnClient_andKeepsIt() {
        EventLoopClients clients = new EventLoopClients(vertx, new HttpClientOptions(), 8, 2, 2);
        List<Context> contexts = new CopyOnWriteArrayList<>();
        vertx.deployVerticle(() -> new VerticleBase() {
            @Override
            public Future<?> start() {
                contexts.add(context);
                return Future.succeededFuture();
            }
        }, new DeploymentOptions().setInstances(2)).await();
        Context first = contexts.get(0);
        Context second = contexts.get(1);

        HttpClient onFirst = on(first, clients);
        HttpClient onSecond = on(second, clients);

        assertThat(onFirst).isNotSameAs(onSecond);
        assertThat(on(first, clients)).isSameAs(onFirst);
        clients.close().await();
    }

    @Test
    void eventLoops_mustBePositive() {
        assertThatIllegalArgumentException().isThrownBy(() -> new EventLoopClients(vertx, new HttpClientOptions(), 8, 2, 0));
    }

    private static HttpClient on(Context context, EventLoopClients clients) {
        CompletableFuture<HttpClient> client = new CompletableFuture<>();
        context.runOnContext(v -> client.complete(clients.current()));
        return client.join();
    }
}
