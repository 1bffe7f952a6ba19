package dev.gatehouse.server.identity;

import static dev.gatehouse.server.http.Shown.quote;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads the {@code jwks_uri} of an issuer from its OpenID Provider metadata
 * ({@code <issuer>/.well-known/openid-configuration}, OpenID Connect Discovery 1.0 §4), checking
 * that the metadata's {@code issuer} is exactly the configured one (§4.3). Blocking; thread-safe.
 */
final class OidcDiscovery {
    static final String PATH = "/.well-known/openid-configuration";
    private static final int MAX_BYTES = 256 * 1024;

    private final HttpClient client;
    private final Duration timeout;

    OidcDiscovery(Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** @throws KeySourceException when the metadata cannot be had or does not check out */
    URL jwksUri(String issuer) throws KeySourceException {
        URI metadataUrl = URI.create(stripSlash(issuer) + PATH);
        return jwksUri(issuer, parse(fetch(issuer, metadataUrl), issuer));
    }

    /**
     * The {@code jwks_uri} of {@code metadata}, once its {@code issuer} is exactly {@code issuer}; an
     * https issuer needs an https {@code jwks_uri} (a downgrade would let the network forge keys).
     */
    static URL jwksUri(String issuer, Map<String, Object> metadata) throws KeySourceException {
        Object published = metadata.get("issuer");
        if (!issuer.equals(published)) {
            throw new KeySourceException("issuer " + quote(issuer) + ": discovery metadata names issuer "
                    + quote(published) + " (expected: exactly the configured issuer)");
        }
        Object jwksUri = metadata.get("jwks_uri");
        try {
            URI uri = new URI(jwksUri instanceof String s ? s : "");
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
                throw new URISyntaxException(String.valueOf(jwksUri), "not an absolute http(s) URL");
            }
            if (isHttps(issuer) && !scheme.equals("https")) {
                throw new KeySourceException("issuer " + quote(issuer) + ": discovery metadata jwks_uri " + quote(jwksUri)
                        + " (expected: an https URL, as the issuer is https)");
            }
            return uri.toURL();
        } catch (URISyntaxException | IOException | IllegalArgumentException e) {
            throw new KeySourceException("issuer " + quote(issuer) + ": discovery metadata jwks_uri " + quote(jwksUri)
                    + " (expected: absolute http or https URL)");
        }
    }

    /**
     * The metadata document, read within one overall deadline of {@code timeout}: the request's own
     * timeout only covers waiting for the headers, so a server that sends headers and then trickles
     * (or stalls) the body would otherwise hold the caller — and every request of the realm queued
     * behind the discovery lock — for as long as it likes.
     */
    private String fetch(String issuer, URI url) throws KeySourceException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).header("Accept", "application/json").GET().build();
        CompletableFuture<HttpResponse<byte[]>> pending = client.sendAsync(request, info -> info.statusCode() == 200
                ? new LimitedBody(MAX_BYTES)
                : HttpResponse.BodySubscribers.replacing(new byte[0]));
        HttpResponse<byte[]> response;
        try {
            response = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new KeySourceException("issuer " + quote(issuer) + ": discovery " + url + " did not complete within "
                    + timeout + " (expected: the whole document within the HTTP timeout)", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof LimitedBody.TooLarge) {
                throw new KeySourceException("issuer " + quote(issuer) + ": discovery " + url
                        + " document larger than " + MAX_BYTES + " bytes", e.getCause());
            }
            throw new KeySourceException("issuer " + quote(issuer) + ": discovery " + url + " failed: " + e.getCause(),
                    e.getCause());
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new KeySourceException("issuer " + quote(issuer) + ": discovery interrupted", e);
        }
        if (response.statusCode() != 200) {
            throw new KeySourceException("issuer " + quote(issuer) + ": discovery " + url + " answered HTTP "
                    + response.statusCode() + " (expected: 200)");
        }
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    /** Collects a body of at most {@code max} bytes; a longer one fails with {@link TooLarge} and is cancelled. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        static final class TooLarge extends IOException {
            TooLarge() {
                super("body too large", null);
            }
        }

        private final int max;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        LimitedBody(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                if (bytes.size() + buffer.remaining() > max) {
                    subscription.cancel();
                    result.completeExceptionally(new TooLarge());
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable failure) {
            result.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }

    private static Map<String, Object> parse(String json, String issuer) throws KeySourceException {
        try {
            return JSONObjectUtils.parse(json);
        } catch (ParseException e) {
            throw new KeySourceException("issuer " + quote(issuer) + ": discovery metadata is not a JSON object", e);
        }
    }

    private static boolean isHttps(String url) {
        return url.regionMatches(true, 0, "https:", 0, "https:".length());
    }

    private static String stripSlash(String issuer) {
        return issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    }
}
