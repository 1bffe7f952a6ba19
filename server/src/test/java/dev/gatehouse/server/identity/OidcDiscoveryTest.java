package dev.gatehouse.server.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.nimbusds.jose.KeySourceException;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OidcDiscoveryTest {

    @Test
    void httpsIssuer_plainHttpJwksUri_isRefused() {
        String issuer = "https://sso.test/realms/acme";

        assertThatExceptionOfType(KeySourceException.class)
                .isThrownBy(() -> OidcDiscovery.jwksUri(issuer,
                        Map.of("issuer", issuer, "jwks_uri", "http://sso.test/realms/acme/certs")))
                .withMessage("issuer \"https://sso.test/realms/acme\": discovery metadata jwks_uri"
                        + " \"http://sso.test/realms/acme/certs\" (expected: an https URL, as the issuer is https)");
    }

    @Test
    void httpsIssuer_httpsJwksUri_andHttpIssuer_httpJwksUri_areAccepted() throws Exception {
        String https = "https://sso.test/realms/acme";
        String http = "http://127.0.0.1:8081/realms/acme";

        assertThat(OidcDiscovery.jwksUri(https, Map.of("issuer", https, "jwks_uri", https + "/certs")))
                .hasToString(https + "/certs");
        assertThat(OidcDiscovery.jwksUri(http, Map.of("issuer", http, "jwks_uri", http + "/certs")))
                .hasToString(http + "/certs");
    }

    @Test
    void issuerThatSendsHeadersThenStalls_failsWithinTheDeadline() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        CountDownLatch release = new CountDownLatch(1);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, 1000);
            exchange.getResponseBody().write("{\"issuer\":".getBytes(StandardCharsets.UTF_8));
            exchange.getResponseBody().flush();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        String issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/slow";
        try {
            long started = System.nanoTime();

            assertThatExceptionOfType(KeySourceException.class)
                    .isThrownBy(() -> new OidcDiscovery(Duration.ofMillis(500)).jwksUri(issuer))
                    .withMessageContaining("did not complete within PT0.5S");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        } finally {
            release.countDown();
            server.stop(0);
        }
    }

    @Test
    void documentLargerThanTheCap_isRefused() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[64 * 1024];
            try {
                for (int i = 0; i < 8; i++) {
                    exchange.getResponseBody().write(chunk);
                }
            } catch (IOException e) {
                // the client hung up: expected
            }
            exchange.close();
        });
        server.start();
        String issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/big";
        try {
            assertThatExceptionOfType(KeySourceException.class)
                    .isThrownBy(() -> new OidcDiscovery(Duration.ofSeconds(5)).jwksUri(issuer))
                    .withMessageContaining("document larger than 262144 bytes");
        } finally {
            server.stop(0);
        }
    }
}
