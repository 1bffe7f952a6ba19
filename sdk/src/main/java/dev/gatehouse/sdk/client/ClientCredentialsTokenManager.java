package dev.gatehouse.sdk.client;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/**
 * Hands out OAuth 2.0 access tokens obtained with the client-credentials grant, cached and
 * refreshed before they expire.
 *
 * <ul>
 *   <li><b>Caching.</b> A token is reused until {@code expires_at - tokenExpiryBufferSeconds}
 *       ({@value #DEFAULT_TOKEN_EXPIRY_BUFFER_SECONDS} s when the configuration gives none);
 *       {@code expires_at} is the time the request was sent plus the response's {@code expires_in}.
 *       A token without {@code expires_in}, or whose lifetime is not longer than the buffer, serves
 *       the callers that were waiting for it and is then replaced on the next call.</li>
 *   <li><b>Single flight.</b> At most one token request is in flight at a time: concurrent callers
 *       that find no usable token wait for the one request (100 callers, one request) and all get
 *       its token or its failure.</li>
 *   <li><b>Failures</b> are a {@link TokenEndpointException} carrying the endpoint's OAuth error code
 *       and HTTP status; there is no token-less fallback. A failure is not cached: the next call
 *       asks again.</li>
 * </ul>
 *
 * <p>The request is a {@code POST} of {@code grant_type=client_credentials} (plus {@code scope} and
 * {@code audience} when configured) authenticated with HTTP Basic ({@code client_secret_basic},
 * id and secret form-encoded first as RFC 6749 §2.3.1 requires). A secret file is read for every
 * token request. Neither the secret nor a token is ever put into a message.
 *
 * <p>Thread-safe. {@link #accessToken()} blocks while a token is fetched; call it off event loops.
 */
public final class ClientCredentialsTokenManager implements AutoCloseable {
    /** The expiry buffer when the configuration gives none. */
    public static final long DEFAULT_TOKEN_EXPIRY_BUFFER_SECONDS = 60;
    /** How long one token request may take. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_RESPONSE_BYTES = 64 * 1024;
    private static final int MAX_SHOWN_CHARS = 200;

    private final ClientCredentialsConfig config;
    private final Duration buffer;
    private final HttpClient http;
    private final boolean ownsHttp;
    private final Clock clock;

    private final Object lock = new Object();
    private volatile CachedToken cached;
    /** The token request in flight, if any; guarded by {@link #lock}. */
    private CompletableFuture<CachedToken> inFlight;

    private ClientCredentialsTokenManager(ClientCredentialsConfig config, HttpClient http, boolean ownsHttp,
            Clock clock) {
        this.config = config;
        this.buffer = Duration.ofSeconds(
                config.tokenExpiryBufferSeconds().orElse(DEFAULT_TOKEN_EXPIRY_BUFFER_SECONDS));
        this.http = http;
        this.ownsHttp = ownsHttp;
        this.clock = clock;
    }

    /** A manager with its own {@link HttpClient} (closed by {@link #close()}) and the system clock. */
    public static ClientCredentialsTokenManager of(ClientCredentialsConfig config) {
        requireNonNull(config, "config");
        HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        return new ClientCredentialsTokenManager(config, http, true, Clock.systemUTC());
    }

    /**
     * A manager sending token requests with {@code http} (not closed by {@link #close()}) and judging
     * expiry by {@code clock}.
     */
    public static ClientCredentialsTokenManager of(ClientCredentialsConfig config, HttpClient http, Clock clock) {
        return new ClientCredentialsTokenManager(requireNonNull(config, "config"), requireNonNull(http, "http"),
                false, requireNonNull(clock, "clock"));
    }

    /** The configuration this manager was built with. */
    public ClientCredentialsConfig config() {
        return config;
    }

    /** The buffer in effect: the configured one, or {@value #DEFAULT_TOKEN_EXPIRY_BUFFER_SECONDS} s. */
    public Duration tokenExpiryBuffer() {
        return buffer;
    }

    /**
     * A usable access token: the cached one, or a fresh one from the token endpoint (shared with
     * every caller asking meanwhile).
     *
     * @throws TokenEndpointException when no token could be obtained
     * @throws InterruptedException when interrupted while waiting for the token endpoint
     */
    public String accessToken() throws TokenEndpointException, InterruptedException {
        while (true) {
            CachedToken current = cached;
            if (current != null && clock.instant().isBefore(current.refreshAt())) {
                return current.value();
            }
            CompletableFuture<CachedToken> flight;
            boolean leader = false;
            synchronized (lock) {
                current = cached;
                if (current != null && clock.instant().isBefore(current.refreshAt())) {
                    return current.value();
                }
                if (inFlight == null) {
                    inFlight = new CompletableFuture<>();
                    leader = true;
                }
                flight = inFlight;
            }
            if (leader) {
                return lead(flight).value();
            }
            try {
                return flight.get().value();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TokenEndpointException failure) {
                    throw failure.rethrown();
                }
                // The leading caller was interrupted or failed unexpectedly: try again, perhaps as leader.
            }
        }
    }

    /**
     * Drops the cached token, whichever it is: the next {@link #accessToken()} asks the endpoint.
     * Prefer {@link #invalidate(String)} when reacting to a refused token.
     */
    public void invalidate() {
        synchronized (lock) {
            cached = null;
        }
    }

    /**
     * Drops the cached token if it is still {@code rejectedToken}: many callers seeing the same token
     * refused cause one refresh, and a token fetched meanwhile is kept.
     */
    public void invalidate(String rejectedToken) {
        requireNonNull(rejectedToken, "rejectedToken");
        synchronized (lock) {
            if (cached != null && cached.value().equals(rejectedToken)) {
                cached = null;
            }
        }
    }

    /** Closes the {@link HttpClient} this manager created itself (not one that was given). */
    @Override
    public void close() {
        if (ownsHttp) {
            http.close();
        }
    }

    private CachedToken lead(CompletableFuture<CachedToken> flight) throws TokenEndpointException, InterruptedException {
        CachedToken fresh;
        try {
            fresh = fetch();
        } catch (TokenEndpointException | InterruptedException | RuntimeException | Error e) {
            synchronized (lock) {
                inFlight = null;
            }
            flight.completeExceptionally(e);
            throw e;
        }
        synchronized (lock) {
            cached = fresh;
            inFlight = null;
        }
        flight.complete(fresh);
        return fresh;
    }

    private CachedToken fetch() throws TokenEndpointException, InterruptedException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        config.scope().ifPresent(scope -> form.put("scope", scope));
        config.audience().ifPresent(audience -> form.put("audience", audience));
        String credentials = encode(config.clientId()) + ":" + encode(secret());
        HttpRequest request = HttpRequest.newBuilder(config.tokenEndpoint())
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(form.entrySet().stream()
                        .map(entry -> encode(entry.getKey()) + "=" + encode(entry.getValue()))
                        .collect(Collectors.joining("&"))))
                .build();
        Instant sent = clock.instant();
        HttpResponse<InputStream> response;
        String body;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                byte[] bytes = in.readNBytes(MAX_RESPONSE_BYTES + 1);
                if (bytes.length > MAX_RESPONSE_BYTES) {
                    throw failure("HTTP " + response.statusCode() + ", response larger than " + MAX_RESPONSE_BYTES
                            + " bytes", response.statusCode(), null, null, null);
                }
                body = new String(bytes, StandardCharsets.UTF_8);
            }
        } catch (TokenEndpointException e) {
            throw e;
        } catch (IOException e) {
            throw failure("no response: " + e, TokenEndpointException.NO_RESPONSE, null, null, e);
        }
        return token(response.statusCode(), body, sent);
    }

    private CachedToken token(int status, String body, Instant sent) throws TokenEndpointException {
        Map<String, Object> json;
        try {
            json = JSONObjectUtils.parse(body);
        } catch (java.text.ParseException e) {
            throw failure("HTTP " + status + ", not a JSON object", status, null, null, null);
        }
        if (status != 200) {
            String error = json.get("error") instanceof String s ? s : null;
            String description = json.get("error_description") instanceof String s ? s : null;
            throw failure("HTTP " + status + (error == null ? ", no OAuth error code" : " " + error)
                    + (description == null ? "" : " (" + shorten(description) + ")"), status, error, description, null);
        }
        if (!(json.get("access_token") instanceof String value) || value.isEmpty()) {
            throw failure("HTTP 200 without access_token", status, null, null, null);
        }
        if (!(json.get("token_type") instanceof String type) || !type.equalsIgnoreCase("Bearer")) {
            throw failure("HTTP 200 with token_type " + shorten(String.valueOf(json.get("token_type")))
                    + " (expected: Bearer)", status, null, null, null);
        }
        Object expiresIn = json.get("expires_in");
        if (!(expiresIn instanceof Number seconds) || seconds.longValue() <= 0) {
            // Unknown lifetime: hand it to the callers waiting now, ask again next time.
            return new CachedToken(value, Instant.MIN);
        }
        return new CachedToken(value, sent.plusSeconds(seconds.longValue()).minus(buffer));
    }

    private String secret() throws TokenEndpointException {
        if (config.clientSecret().isPresent()) {
            return config.clientSecret().get();
        }
        try {
            String secret = Files.readString(config.clientSecretFile().get(), StandardCharsets.UTF_8).strip();
            if (secret.isEmpty()) {
                throw failure("clientSecretFile " + config.clientSecretFile().get() + " is empty",
                        TokenEndpointException.NO_RESPONSE, null, null, null);
            }
            return secret;
        } catch (IOException e) {
            throw failure("cannot read clientSecretFile " + config.clientSecretFile().get() + ": "
                    + e.getClass().getSimpleName(), TokenEndpointException.NO_RESPONSE, null, null, e);
        }
    }

    private TokenEndpointException failure(String what, int status, String error, String description, Throwable cause) {
        return new TokenEndpointException("token endpoint " + config.tokenEndpoint() + " for client "
                + config.clientId() + ": " + what, status, error, description, cause);
    }

    private static String shorten(String text) {
        String cut = text.length() > MAX_SHOWN_CHARS ? text.substring(0, MAX_SHOWN_CHARS) + "..." : text;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** A token and the instant from which it is no longer handed out. */
    private record CachedToken(String value, Instant refreshAt) {}
}
