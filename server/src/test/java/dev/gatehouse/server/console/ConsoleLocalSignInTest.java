package dev.gatehouse.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import io.vertx.core.json.JsonObject;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The development-only local sign-in is for this machine: Gatehouse listening on every interface
 * offers and accepts it only over loopback, and refuses it, from a page of another site, even one
 * reached through loopback (DNS rebinding). And a Keycloak that cannot be reached: the sign-in's
 * start says so.
 */
class ConsoleLocalSignInTest {
    private static final String BODY = "{\"user\":\"mallory\",\"organization\":\"acme\",\"capabilities\":[\"gatehouse:admin\"]}";

    @TempDir
    static Path dataDir;

    static Gatehouse gatehouse;
    static int port;

    @BeforeAll
    static void start() {
        port = TestGatehouse.freePort();
        gatehouse = Gatehouse.start(TestGatehouse.config(dataDir, Map.of(
                "GATEHOUSE_SERVER_HOST", "0.0.0.0",
                "GATEHOUSE_SERVER_PORT", String.valueOf(port),
                "GATEHOUSE_SERVER_PUBLIC_URL", "http://127.0.0.1:" + port,
                "GATEHOUSE_IDENTITY_TOPOLOGY", "shared-sovereign",
                "GATEHOUSE_IDENTITY_KEYCLOAK_ISSUERS", "http://127.0.0.1:" + closedPort() + "/realms/acme")));
    }

    @AfterAll
    static void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
    }

    @Test
    void fromAnotherAddress_theLocalSignInIsNeitherOfferedNorAccepted() {
        URI remote = URI.create("http://" + nonLoopbackAddress().getHostAddress() + ":" + port);

        JsonObject session = new JsonObject(TestGatehouse.get(remote.resolve("/console/api/session")).body());
        HttpResponse<String> signIn = post(remote, null);

        assertThat(session.getJsonObject("sign_in").getBoolean("local")).isFalse();
        assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(403);
        assertThat(new JsonObject(signIn.body()).getString("code")).isEqualTo("local_sign_in_remote");
        assertThat(signIn.headers().firstValue("Set-Cookie")).isEmpty();
    }

    @Test
    void overLoopback_itIsOffered_andRefusedOnlyToAnotherSitesPage() {
        URI local = URI.create("http://127.0.0.1:" + port);

        JsonObject session = new JsonObject(TestGatehouse.get(local.resolve("/console/api/session")).body());
        HttpResponse<String> rebound = post(local, "http://attacker.example:" + port);
        HttpResponse<String> ownPage = post(local, "http://localhost:" + port);

        assertThat(session.getJsonObject("sign_in").getBoolean("local")).isTrue();
        assertThat(rebound.statusCode()).isEqualTo(403);
        assertThat(new JsonObject(rebound.body()).getString("code")).isEqualTo("cross_origin");
        assertThat(ownPage.statusCode()).as(ownPage.body()).isEqualTo(204);
    }

    @Test
    void keycloakUnreachable_theSignInStartSaysSo_withoutASessionOrAnError500() {
        URI local = URI.create("http://127.0.0.1:" + port);
        for (int attempt = 0; attempt < 2; attempt++) {
            HttpResponse<String> start = TestGatehouse.get(local.resolve("/console/login/keycloak?issuer=0"));

            assertThat(start.statusCode()).isEqualTo(502);
            assertThat(start.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
            assertThat(start.body()).contains("discovery document").contains("could not be read");
            assertThat(start.headers().allValues("Set-Cookie")).isEmpty();
        }
    }

    private static HttpResponse<String> post(URI base, String origin) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/console/login/local"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(BODY));
        if (origin != null) {
            request.header("Origin", origin);
        }
        return TestGatehouse.send(request.build());
    }

    /** An IPv4 address of this machine that is not loopback: the test needs one (every CI machine has eth0). */
    private static InetAddress nonLoopbackAddress() {
        try {
            for (NetworkInterface face : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!face.isUp() || face.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(face.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                        return address;
                    }
                }
            }
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("this machine has no non-loopback IPv4 address to call Gatehouse from");
    }

    /** A port nothing listens on: bound, then released. */
    private static int closedPort() {
        return TestGatehouse.freePort();
    }

}
