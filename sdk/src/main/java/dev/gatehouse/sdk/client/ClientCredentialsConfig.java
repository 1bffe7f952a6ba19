package dev.gatehouse.sdk.client;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * How a service obtains OAuth 2.0 access tokens with the client-credentials grant (RFC 6749 §4.4)
 * for {@link ClientCredentialsTokenManager}: the token endpoint, the client's id and secret (given
 * directly or as a file read on every token request, so a rotated secret is picked up), how long
 * before expiry a cached token is replaced, and optionally a {@code scope} and {@code audience} to
 * request.
 *
 * <p>Everything is validated by {@link Builder#build()}, which names the offending key, e.g.
 * {@code tokenExpiryBufferSeconds: "1.5" (expected: a whole number >= 0)}. An absent
 * {@link #tokenExpiryBufferSeconds()} stays absent here: the manager applies its default
 * ({@value ClientCredentialsTokenManager#DEFAULT_TOKEN_EXPIRY_BUFFER_SECONDS} seconds), whatever
 * the configuration source does.
 *
 * <p>Immutable and thread-safe; {@link #toString()} never shows the secret.
 */
public final class ClientCredentialsConfig {
    private static final Pattern DECIMAL = Pattern.compile("[+-]?[0-9]+(\\.[0-9]+)?");
    private static final int MAX_SHOWN_CHARS = 40;

    private final URI tokenEndpoint;
    private final String clientId;
    private final Optional<String> clientSecret;
    private final Optional<Path> clientSecretFile;
    private final OptionalLong tokenExpiryBufferSeconds;
    private final Optional<String> scope;
    private final Optional<String> audience;

    private ClientCredentialsConfig(Builder builder, OptionalLong buffer) {
        this.tokenEndpoint = builder.tokenEndpoint;
        this.clientId = builder.clientId;
        this.clientSecret = Optional.ofNullable(builder.clientSecret);
        this.clientSecretFile = Optional.ofNullable(builder.clientSecretFile);
        this.tokenExpiryBufferSeconds = buffer;
        this.scope = Optional.ofNullable(builder.scope);
        this.audience = Optional.ofNullable(builder.audience);
    }

    /** A builder with nothing set. */
    public static Builder builder() {
        return new Builder();
    }

    /** The token endpoint, e.g. {@code https://sso.example.com/realms/acme/protocol/openid-connect/token}. */
    public URI tokenEndpoint() {
        return tokenEndpoint;
    }

    public String clientId() {
        return clientId;
    }

    /** The client secret given directly; exactly one of this and {@link #clientSecretFile()} is present. */
    public Optional<String> clientSecret() {
        return clientSecret;
    }

    /** A file holding the client secret (surrounding whitespace ignored), read on every token request. */
    public Optional<Path> clientSecretFile() {
        return clientSecretFile;
    }

    /**
     * Seconds before {@code expires_at} at which a cached token is no longer handed out; empty when
     * not configured (the manager then uses
     * {@value ClientCredentialsTokenManager#DEFAULT_TOKEN_EXPIRY_BUFFER_SECONDS}).
     */
    public OptionalLong tokenExpiryBufferSeconds() {
        return tokenExpiryBufferSeconds;
    }

    /** The {@code scope} parameter of token requests (space-separated scopes), if any. */
    public Optional<String> scope() {
        return scope;
    }

    /** The {@code audience} parameter of token requests, if any (for servers that support it). */
    public Optional<String> audience() {
        return audience;
    }

    @Override
    public String toString() {
        return "ClientCredentialsConfig{tokenEndpoint=" + tokenEndpoint + ", clientId=" + clientId
                + ", clientSecret=" + (clientSecret.isPresent() ? "(set)" : "(file " + clientSecretFile.get() + ")")
                + ", tokenExpiryBufferSeconds=" + (tokenExpiryBufferSeconds.isPresent()
                        ? tokenExpiryBufferSeconds.getAsLong() : "(default)")
                + scope.map(s -> ", scope=" + s).orElse("") + audience.map(a -> ", audience=" + a).orElse("") + "}";
    }

    /**
     * Collects the settings of a {@link ClientCredentialsConfig}; setters accept what a configuration
     * source hands over and {@link #build()} validates it all. Not thread-safe.
     */
    public static final class Builder {
        private URI tokenEndpoint;
        private String tokenEndpointText;
        private String clientId;
        private String clientSecret;
        private Path clientSecretFile;
        private Object tokenExpiryBufferSeconds;
        private String scope;
        private String audience;

        Builder() {}

        public Builder tokenEndpoint(URI tokenEndpoint) {
            this.tokenEndpoint = requireNonNull(tokenEndpoint, "tokenEndpoint");
            this.tokenEndpointText = null;
            return this;
        }

        /** The token endpoint as text; checked to be an absolute http or https URL by {@link #build()}. */
        public Builder tokenEndpoint(String tokenEndpoint) {
            this.tokenEndpointText = requireNonNull(tokenEndpoint, "tokenEndpoint");
            this.tokenEndpoint = null;
            return this;
        }

        public Builder clientId(String clientId) {
            this.clientId = requireNonNull(clientId, "clientId");
            return this;
        }

        /** The client secret itself; give this or {@link #clientSecretFile(Path)}, not both. */
        public Builder clientSecret(String clientSecret) {
            this.clientSecret = requireNonNull(clientSecret, "clientSecret");
            return this;
        }

        /** A file holding the client secret, read on every token request; give this or {@link #clientSecret(String)}. */
        public Builder clientSecretFile(Path clientSecretFile) {
            this.clientSecretFile = requireNonNull(clientSecretFile, "clientSecretFile");
            return this;
        }

        /**
         * The expiry buffer as a configuration source gives it, e.g. {@code 60} from YAML/JSON. Must be
         * a whole number >= 0: {@code 1.5} or {@code -1} are refused by {@link #build()} ({@code 60.0}
         * is 60).
         */
        public Builder tokenExpiryBufferSeconds(Number seconds) {
            this.tokenExpiryBufferSeconds = requireNonNull(seconds, "tokenExpiryBufferSeconds");
            return this;
        }

        /**
         * The expiry buffer as text, e.g. {@code "60"} from an environment variable. Must be a whole
         * number >= 0: {@code "1.5"}, {@code "-1"} or {@code "60s"} are refused by {@link #build()}.
         */
        public Builder tokenExpiryBufferSeconds(String seconds) {
            this.tokenExpiryBufferSeconds = requireNonNull(seconds, "tokenExpiryBufferSeconds");
            return this;
        }

        public Builder scope(String scope) {
            this.scope = requireNonNull(scope, "scope");
            return this;
        }

        public Builder audience(String audience) {
            this.audience = requireNonNull(audience, "audience");
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the first offending key and what was expected
         */
        public ClientCredentialsConfig build() {
            if (tokenEndpointText != null) {
                try {
                    tokenEndpoint = new URI(tokenEndpointText.strip());
                } catch (java.net.URISyntaxException e) {
                    throw new IllegalArgumentException("tokenEndpoint: " + shown(tokenEndpointText)
                            + " (expected: an absolute http or https URL)");
                }
            }
            if (tokenEndpoint == null) {
                throw new IllegalArgumentException("tokenEndpoint: not set (expected: the token endpoint URL)");
            }
            String urlScheme = tokenEndpoint.getScheme();
            if (!tokenEndpoint.isAbsolute() || tokenEndpoint.getHost() == null
                    || !("http".equalsIgnoreCase(urlScheme) || "https".equalsIgnoreCase(urlScheme))
                    || tokenEndpoint.getFragment() != null || tokenEndpoint.getUserInfo() != null) {
                throw new IllegalArgumentException("tokenEndpoint: " + shown(tokenEndpoint.toString())
                        + " (expected: an absolute http or https URL without user info or fragment)");
            }
            if (clientId == null || clientId.isBlank()) {
                throw new IllegalArgumentException("clientId: " + (clientId == null ? "not set" : "\"\"")
                        + " (expected: the OAuth client id)");
            }
            if (clientSecret != null && clientSecretFile != null) {
                throw new IllegalArgumentException("clientSecret and clientSecretFile: both set (expected: one of them)");
            }
            if (clientSecret == null && clientSecretFile == null) {
                throw new IllegalArgumentException("clientSecret: not set (expected: clientSecret or clientSecretFile)");
            }
            if (clientSecret != null && clientSecret.isBlank()) {
                throw new IllegalArgumentException("clientSecret: blank (expected: the client's secret)");
            }
            if (clientSecretFile != null && !Files.isReadable(clientSecretFile)) {
                throw new IllegalArgumentException("clientSecretFile: " + clientSecretFile
                        + " (expected: a readable file holding the client secret)");
            }
            if (scope != null && scope.isBlank()) {
                throw new IllegalArgumentException("scope: blank (expected: space-separated scopes, or not set)");
            }
            if (audience != null && audience.isBlank()) {
                throw new IllegalArgumentException("audience: blank (expected: an audience, or not set)");
            }
            return new ClientCredentialsConfig(this, buffer(tokenExpiryBufferSeconds));
        }

        private static OptionalLong buffer(Object value) {
            if (value == null) {
                return OptionalLong.empty();
            }
            BigDecimal number = decimal(value);
            if (number == null || number.signum() < 0 || number.stripTrailingZeros().scale() > 0
                    || number.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                throw new IllegalArgumentException("tokenExpiryBufferSeconds: "
                        + (value instanceof String text ? shown(text) : String.valueOf(value))
                        + " (expected: a whole number >= 0, seconds)");
            }
            return OptionalLong.of(number.longValueExact());
        }

        /** The value as a decimal, or null when it is no number at all. */
        private static BigDecimal decimal(Object value) {
            if (value instanceof String text) {
                String trimmed = text.strip();
                return DECIMAL.matcher(trimmed).matches() ? new BigDecimal(trimmed) : null;
            }
            if (value instanceof BigDecimal decimal) {
                return decimal;
            }
            if (value instanceof BigInteger integer) {
                return new BigDecimal(integer);
            }
            if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
                return BigDecimal.valueOf(((Number) value).longValue());
            }
            if (value instanceof Double || value instanceof Float) {
                double d = ((Number) value).doubleValue();
                return Double.isFinite(d) ? new BigDecimal(d) : null;
            }
            return null;
        }
    }

    private static String shown(String text) {
        String cut = text.length() > MAX_SHOWN_CHARS ? text.substring(0, MAX_SHOWN_CHARS) + "..." : text;
        return '"' + cut.replace("\"", "\\\"").replaceAll("\\p{Cntrl}", "?") + '"';
    }
}
