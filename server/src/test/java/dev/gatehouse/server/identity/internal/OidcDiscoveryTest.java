package dev.gatehouse.server.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.nimbusds.jose.KeySourceException;
import java.util.Map;
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
}
