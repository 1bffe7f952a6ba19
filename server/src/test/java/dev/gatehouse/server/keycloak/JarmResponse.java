package dev.gatehouse.server.keycloak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.oauth2.sdk.util.URLUtils;
import java.io.IOException;
import java.net.URI;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JARM authorization response ({@code ?response=JWT}) checked as a client must: signature (PS256)
 * by a key of the realm's JWKS, {@code iss}, {@code aud}, {@code exp}.
 *
 * <p>Keycloak 26.4 writes {@code iss} twice into the JARM payload (keycloak/keycloak#44563); Nimbus's {@code JARMValidator}
 * (and {@code SignedJWT}) refuse such a payload as invalid JSON. So the signature is verified with
 * Nimbus on the JWS as it is, and the payload read with Jackson, after checking that every
 * {@code iss} member names the issuer.
 */
record JarmResponse(JsonNode claims) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ISS = Pattern.compile("\"iss\"\\s*:\\s*\"([^\"]*)\"");

    /** Verifies the {@code response} parameter of {@code callback}; throws {@link IllegalStateException} on any failure. */
    static JarmResponse verify(URI callback, URI jwksUri, String issuer, String clientId) {
        Map<String, List<String>> query = URLUtils.parseParameters(callback.getRawQuery());
        if (!query.keySet().equals(java.util.Set.of("response"))) {
            throw new IllegalStateException("not a JARM response (expected only 'response'): " + callback);
        }
        try {
            JWSObject jws = JWSObject.parse(query.get("response").get(0));
            if (!JWSAlgorithm.PS256.equals(jws.getHeader().getAlgorithm())) {
                throw new IllegalStateException("JARM signed with " + jws.getHeader().getAlgorithm() + ", not PS256");
            }
            JWK key = JWKSet.load(jwksUri.toURL()).getKeyByKeyId(jws.getHeader().getKeyID());
            if (key == null || !jws.verify(new RSASSAVerifier(key.toRSAKey()))) {
                throw new IllegalStateException("JARM signature not verified by the realm's key " + jws.getHeader().getKeyID());
            }
            String payload = jws.getPayload().toString();
            List<String> issuers = new ArrayList<>();
            Matcher iss = ISS.matcher(payload);
            while (iss.find()) {
                issuers.add(iss.group(1));
            }
            JsonNode claims = JSON.readTree(payload);
            if (issuers.isEmpty() || issuers.stream().anyMatch(i -> !i.equals(issuer))
                    || !clientId.equals(claims.path("aud").asText())
                    || claims.path("exp").asLong() < Instant.now().getEpochSecond()) {
                throw new IllegalStateException("JARM claims not for " + clientId + " from " + issuer + ": " + payload);
            }
            return new JarmResponse(claims);
        } catch (ParseException | IOException | JOSEException e) {
            throw new IllegalStateException("JARM response: " + e.getMessage(), e);
        }
    }

    String code() {
        return claims.path("code").asText();
    }

    String state() {
        return claims.path("state").asText();
    }
}
