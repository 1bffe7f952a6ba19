package dev.gatehouse.sdk.client;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Sends requests with a JDK {@link HttpClient}, authenticated as a service account: each request
 * gets {@code Authorization: Bearer <token>} from a {@link ClientCredentialsTokenManager} and, for
 * {@link #actingFor(String) a client acting for a user}, the identity-propagation header (default
 * {@value #DEFAULT_ACTING_USER_HEADER}; any name, e.g. {@code X-Backstage-User}) naming that user
 * for the receiver's audit log. Headers of those names already on a request are replaced.
 *
 * <p><b>401.</b> When the response is 401 the token is dropped from the manager, a fresh one is
 * fetched and the request is sent once more, provided its body can be sent again: requests without
 * a body (or with an empty one) and requests sent with a body supplier
 * ({@link #send(HttpRequest, Supplier, HttpResponse.BodyHandler)}), which is called again for the
 * retry. Any other request body cannot be known to be replayable, so its 401 is returned as it is.
 * A second 401 is returned to the caller unchanged; there is never a third attempt. The first 401
 * response's body is discarded (closed when it is a stream).
 *
 * <p><b>Failures.</b> When no token can be obtained, {@link TokenEndpointException} (an
 * {@link IOException}) is thrown and nothing is sent: there is no unauthenticated request.
 *
 * <p>Immutable and thread-safe; {@code actingFor} views share the manager and the HTTP client.
 */
public final class AuthenticatingHttpClient {
    /** The identity-propagation header unless configured otherwise. */
    public static final String DEFAULT_ACTING_USER_HEADER = "X-Gatehouse-User";
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final int MAX_ACTING_USER_CHARS = 256;

    private final ClientCredentialsTokenManager tokens;
    private final HttpClient http;
    private final String actingUserHeader;
    private final Optional<String> actingUser;

    private AuthenticatingHttpClient(ClientCredentialsTokenManager tokens, HttpClient http, String actingUserHeader,
            Optional<String> actingUser) {
        this.tokens = tokens;
        this.http = http;
        this.actingUserHeader = actingUserHeader;
        this.actingUser = actingUser;
    }

    /** A builder for a client taking its tokens from {@code tokens}. */
    public static Builder builder(ClientCredentialsTokenManager tokens) {
        return new Builder(requireNonNull(tokens, "tokens"));
    }

    /**
     * This client, with every request also naming {@code user} in the identity-propagation header:
     * the service account acts on that user's behalf.
     *
     * @throws IllegalArgumentException when {@code user} is empty, longer than 256 characters or
     *     contains control characters
     */
    public AuthenticatingHttpClient actingFor(String user) {
        requireNonNull(user, "user");
        if (user.isEmpty() || user.length() > MAX_ACTING_USER_CHARS || user.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("user: " + user.length() + " characters (expected: 1.."
                    + MAX_ACTING_USER_CHARS + ", no control characters)");
        }
        return new AuthenticatingHttpClient(tokens, http, actingUserHeader, Optional.of(user));
    }

    /** The user this client acts for, if any. */
    public Optional<String> actingUser() {
        return actingUser;
    }

    /** The name of the identity-propagation header. */
    public String actingUserHeader() {
        return actingUserHeader;
    }

    /**
     * Sends {@code request} authenticated; retried once after a 401 only when it has no body (or an
     * empty one).
     */
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        requireNonNull(request, "request");
        requireNonNull(handler, "handler");
        boolean replayable = request.bodyPublisher().map(body -> body.contentLength() == 0).orElse(true);
        return exchange(request, null, replayable, handler);
    }

    /**
     * Sends {@code request} with the body {@code body} creates, its method kept; retried once after a
     * 401 with a body newly created by {@code body}. Whatever body {@code request} carries is
     * ignored.
     */
    public <T> HttpResponse<T> send(HttpRequest request, Supplier<HttpRequest.BodyPublisher> body,
            HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
        requireNonNull(request, "request");
        requireNonNull(body, "body");
        requireNonNull(handler, "handler");
        return exchange(request, body, true, handler);
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, Supplier<HttpRequest.BodyPublisher> body,
            boolean replayable, HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
        String token = tokens.accessToken();
        HttpResponse<T> response = http.send(authenticated(request, body, token), handler);
        if (response.statusCode() != 401 || !replayable) {
            return response;
        }
        discard(response);
        tokens.invalidate(token);
        String fresh = tokens.accessToken();
        return http.send(authenticated(request, body, fresh), handler);
    }

    private HttpRequest authenticated(HttpRequest request, Supplier<HttpRequest.BodyPublisher> body, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(request, (name, value) ->
                !name.equalsIgnoreCase("Authorization") && !name.equalsIgnoreCase(actingUserHeader));
        builder.header("Authorization", "Bearer " + token);
        actingUser.ifPresent(user -> builder.header(actingUserHeader, user));
        if (body != null) {
            builder.method(request.method(), requireNonNull(body.get(), "body.get()"));
        }
        return builder.build();
    }

    private static void discard(HttpResponse<?> response) {
        if (response.body() instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // Only releasing the connection; the retry does not depend on it.
            }
        }
    }

    /** Configures an {@link AuthenticatingHttpClient}. Not thread-safe. */
    public static final class Builder {
        private final ClientCredentialsTokenManager tokens;
        private HttpClient http;
        private String actingUserHeader = DEFAULT_ACTING_USER_HEADER;

        private Builder(ClientCredentialsTokenManager tokens) {
            this.tokens = tokens;
        }

        /** The client requests are sent with; default a new one that does not follow redirects. */
        public Builder httpClient(HttpClient http) {
            this.http = requireNonNull(http, "http");
            return this;
        }

        /** The identity-propagation header's name; default {@value AuthenticatingHttpClient#DEFAULT_ACTING_USER_HEADER}. */
        public Builder actingUserHeader(String name) {
            requireNonNull(name, "name");
            if (!HEADER_NAME.matcher(name).matches() || name.equalsIgnoreCase("Authorization")) {
                throw new IllegalArgumentException("actingUserHeader: \"" + name.replaceAll("\\p{Cntrl}", "?")
                        + "\" (expected: an HTTP header name other than Authorization, e.g. X-Gatehouse-User)");
            }
            this.actingUserHeader = name;
            return this;
        }

        public AuthenticatingHttpClient build() {
            HttpClient client = http != null ? http
                    : HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
            return new AuthenticatingHttpClient(tokens, client, actingUserHeader, Optional.empty());
        }
    }
}
