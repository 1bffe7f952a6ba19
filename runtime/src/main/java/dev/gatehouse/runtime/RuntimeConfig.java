package dev.gatehouse.runtime;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything the sandbox runtime knows: where to listen, the LLM gateway's OpenAI base URL and
 * where its token comes from. Immutable and thread-safe; {@link #toString()} never shows the token.
 *
 * <p>Exactly one of {@code tokenFile} and {@code token} is set. {@code port} 0 picks a free port.
 * {@code gatewayUrl} is kept without a trailing slash. {@code defaultModel} may be {@code null}.
 *
 * <p>{@link #fromEnvironment(Map)} reads the environment contract:
 * <ul>
 *   <li>{@code PORT} (default 8080, 1..65535) and {@code HOST} (default {@code 0.0.0.0});</li>
 *   <li>{@code LLM_GATEWAY_URL}, else {@code OPENAI_BASE_URL}, {@code OPENAI_API_BASE},
 *       {@code NEWAPI_BASE_URL}: required, an absolute http(s) URL whose path ends in {@code /v1};</li>
 *   <li>{@code LLM_GATEWAY_TOKEN_FILE}, else {@code LLM_GATEWAY_TOKEN}, {@code OPENAI_API_KEY},
 *       {@code NEWAPI_KEY}: one is required;</li>
 *   <li>{@code LLM_DEFAULT_MODEL}: optional.</li>
 * </ul>
 * Blank variables count as unset; the first one set of a list wins.
 */
public record RuntimeConfig(String host, int port, URI gatewayUrl, Path tokenFile, String token, String defaultModel) {
    private static final List<String> GATEWAY_URL_VARIABLES =
            List.of("LLM_GATEWAY_URL", "OPENAI_BASE_URL", "OPENAI_API_BASE", "NEWAPI_BASE_URL");
    private static final List<String> TOKEN_VARIABLES = List.of("LLM_GATEWAY_TOKEN", "OPENAI_API_KEY", "NEWAPI_KEY");
    private static final String TOKEN_FILE_VARIABLE = "LLM_GATEWAY_TOKEN_FILE";

    public RuntimeConfig {
        requireNonNull(host, "host");
        requireNonNull(gatewayUrl, "gatewayUrl");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
        }
        if ((tokenFile == null) == (token == null)) {
            throw new IllegalArgumentException("tokenFile, token: exactly one must be set");
        }
        String url = gatewayUrl.toString();
        if (url.endsWith("/")) {
            gatewayUrl = URI.create(url.substring(0, url.length() - 1));
        }
    }

    /**
     * Reads the configuration from environment variables.
     *
     * @throws InvalidConfigurationException naming every missing or invalid variable
     */
    public static RuntimeConfig fromEnvironment(Map<String, String> environment) {
        requireNonNull(environment, "environment");
        return new EnvironmentReader(environment).read();
    }

    @Override
    public String toString() {
        return "RuntimeConfig[host=" + host + ", port=" + port + ", gatewayUrl=" + gatewayUrl
                + ", tokenFile=" + tokenFile + ", token=" + (token == null ? null : "(hidden)")
                + ", defaultModel=" + defaultModel + "]";
    }

    private static final class EnvironmentReader {
        private final Map<String, String> environment;
        private final List<String> problems = new ArrayList<>();

        EnvironmentReader(Map<String, String> environment) {
            this.environment = environment;
        }

        RuntimeConfig read() {
            String host = valueOf("HOST");
            int port = port();
            URI gatewayUrl = gatewayUrl();
            Path tokenFile = tokenFile();
            String token = tokenFile == null ? token() : null;
            if (!problems.isEmpty()) {
                throw new InvalidConfigurationException(problems);
            }
            return new RuntimeConfig(host == null ? "0.0.0.0" : host, port, gatewayUrl, tokenFile, token,
                    valueOf("LLM_DEFAULT_MODEL"));
        }

        private int port() {
            String value = valueOf("PORT");
            if (value == null) {
                return 8080;
            }
            try {
                int port = Integer.parseInt(value);
                if (port >= 1 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            problems.add("PORT: \"" + value + "\" (expected: 1..65535)");
            return 0;
        }

        private URI gatewayUrl() {
            String name = firstSet(GATEWAY_URL_VARIABLES);
            if (name == null) {
                problems.add(String.join(" or ", GATEWAY_URL_VARIABLES)
                        + ": required (expected: the gateway's OpenAI base URL, e.g. http://gatehouse:8080/v1)");
                return null;
            }
            String value = valueOf(name);
            URI url;
            try {
                url = new URI(value);
            } catch (URISyntaxException e) {
                problems.add(name + ": \"" + value + "\" is not a URL (expected: an http(s) URL ending in /v1)");
                return null;
            }
            if (url.getRawUserInfo() != null) {
                // The value is not echoed: user info may hold a credential.
                problems.add(name + ": must not contain user info (expected: an http(s) URL ending in /v1)");
                return null;
            }
            String path = url.getRawPath() == null ? "" : url.getRawPath();
            boolean http = "http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme());
            if (!http || url.getHost() == null || url.getRawQuery() != null || url.getRawFragment() != null
                    || !(path.endsWith("/v1") || path.endsWith("/v1/"))) {
                problems.add(name + ": \"" + value + "\" (expected: an http(s) URL ending in /v1, e.g. http://gatehouse:8080/v1)");
                return null;
            }
            return url;
        }

        private Path tokenFile() {
            String value = valueOf(TOKEN_FILE_VARIABLE);
            if (value == null) {
                return null;
            }
            try {
                return Path.of(value);
            } catch (InvalidPathException e) {
                problems.add(TOKEN_FILE_VARIABLE + ": \"" + value + "\" is not a valid path");
                return null;
            }
        }

        private String token() {
            String name = firstSet(TOKEN_VARIABLES);
            if (name == null) {
                if (valueOf(TOKEN_FILE_VARIABLE) == null) {
                    problems.add(TOKEN_FILE_VARIABLE + " or " + String.join(" or ", TOKEN_VARIABLES)
                            + ": required (expected: the sandbox's gateway token, or the path of a file holding it)");
                }
                return null;
            }
            String token = valueOf(name);
            if (!TokenSource.isWellFormed(token)) {
                problems.add(name + ": must be printable ASCII without spaces (value not shown)");
                return null;
            }
            return token;
        }

        private String firstSet(List<String> names) {
            return names.stream().filter(name -> valueOf(name) != null).findFirst().orElse(null);
        }

        private String valueOf(String name) {
            String value = environment.get(name);
            return value == null || value.isBlank() ? null : value.strip();
        }
    }
}
