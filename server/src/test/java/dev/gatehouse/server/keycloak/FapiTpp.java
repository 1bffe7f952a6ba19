package dev.gatehouse.server.keycloak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.PushedAuthorizationRequest;
import com.nimbusds.oauth2.sdk.ResponseMode;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.JWTAuthenticationClaimsSet;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.JWTID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * A third-party provider (TPP) of the FAPI realm, as a test drives it: its RSA key (for
 * {@code private_key_jwt} and request objects, PS256), its registration from
 * {@code keycloak/examples/fapi-tpp-registration.json}, and the requests it sends. The requests
 * are built with the Nimbus OAuth 2.0 SDK; nothing is sent here.
 */
final class FapiTpp {
    /** The redirect URI of the registration example; nothing listens there (the browser stops before it). */
    static final URI REDIRECT_URI = URI.create("https://tpp.example/callback");
    static final Path REGISTRATION_EXAMPLE = Path.of("..", "keycloak", "examples", "fapi-tpp-registration.json");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EXAMPLE_CLIENT_ID = "tpp-example";

    private final ClientID clientId;
    private final URI issuer;
    private final RSAKey key;

    FapiTpp(String clientId, URI issuer) {
        this.clientId = new ClientID(clientId);
        this.issuer = issuer;
        try {
            this.key = new RSAKeyGenerator(2048).keyID(clientId + "-key").keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.PS256).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    ClientID clientId() {
        return clientId;
    }

    /**
     * The registration example (a partial import) for this TPP: its client id, its public key
     * instead of the example's; the rest, with the role {@code fapi-client}, as the example has it.
     */
    String registration() {
        return registration(null);
    }

    /** The registration, but authenticating with {@code secret} (Keycloak's {@code client-secret}) instead of a key. */
    String registrationWithSecret(String secret) {
        return registration(secret);
    }

    private String registration(String secretOrNull) {
        ObjectNode registration = readExample();
        ObjectNode client = (ObjectNode) registration.path("clients").get(0);
        client.put("clientId", clientId.getValue());
        ((ObjectNode) client.path("attributes")).put("jwks.string", new JWKSet(key.toPublicJWK()).toString());
        if (secretOrNull != null) {
            client.put("clientAuthenticatorType", "client-secret").put("secret", secretOrNull);
        }
        ObjectNode clientRoles = (ObjectNode) registration.path("roles").path("client");
        clientRoles.set(clientId.getValue(), clientRoles.remove(EXAMPLE_CLIENT_ID));
        return registration.toString();
    }

    private static ObjectNode readExample() {
        try {
            return (ObjectNode) JSON.readTree(Files.readString(REGISTRATION_EXAMPLE));
        } catch (IOException e) {
            throw new UncheckedIOException(REGISTRATION_EXAMPLE.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /** What goes into the request object: a code flow with JARM ({@code response_mode=jwt}). */
    AuthorizationRequest.Builder authorization(State state, CodeVerifier verifier, CodeChallengeMethod method) {
        AuthorizationRequest.Builder builder = new AuthorizationRequest.Builder(ResponseType.CODE, clientId)
                .redirectionURI(REDIRECT_URI).scope(new Scope("openid")).state(state).responseMode(ResponseMode.JWT);
        return verifier == null ? builder : builder.codeChallenge(verifier, method);
    }

    /** The authorization request as a request object signed with this TPP's key (PS256). */
    SignedJWT requestObject(AuthorizationRequest request) {
        Instant now = Instant.now();
        try {
            JWTClaimsSet claims = new JWTClaimsSet.Builder(request.toJWTClaimsSet())
                    .issuer(clientId.getValue()).audience(issuer.toString()).issueTime(Date.from(now))
                    .notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
                    .jwtID(UUID.randomUUID().toString()).build();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.PS256).keyID(key.getKeyID()).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt;
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A pushed authorization request carrying only {@code client_id} and the signed {@code request}. */
    HTTPRequest pushed(URI parEndpoint, ClientAuthentication authentication, AuthorizationRequest request) {
        AuthorizationRequest byReference = new AuthorizationRequest.Builder(requestObject(request), clientId).build();
        return new PushedAuthorizationRequest(parEndpoint, authentication, byReference).toHTTPRequest();
    }

    /** {@code private_key_jwt}: a fresh client assertion (PS256) with the issuer as its only audience. */
    ClientAuthentication privateKeyJwt() {
        try {
            JWTAuthenticationClaimsSet claims = new JWTAuthenticationClaimsSet(clientId, new Audience(issuer.toString()));
            return new PrivateKeyJWT(claims, JWSAlgorithm.PS256, key.toRSAPrivateKey(), key.getKeyID(), null);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code client_secret_basic}, which the FAPI policies do not allow. */
    ClientAuthentication clientSecret(String secret) {
        return new ClientSecretBasic(clientId, new Secret(secret));
    }

    /** The token request for {@code code}; no DPoP proof yet. */
    HTTPRequest tokenRequest(URI tokenEndpoint, ClientAuthentication authentication, AuthorizationCode code,
            CodeVerifier verifier) {
        return new TokenRequest(tokenEndpoint, authentication, new AuthorizationCodeGrant(code, REDIRECT_URI, verifier))
                .toHTTPRequest();
    }

    /** A fresh unique id, for test clients and states. */
    static String unique(String prefix) {
        return prefix + "-" + new JWTID(8).getValue().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
