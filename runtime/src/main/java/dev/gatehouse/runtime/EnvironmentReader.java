package dev.gatehouse.runtime;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads a {@link RuntimeConfig} from the environment contract described there, collecting every
 * problem before it fails. Never puts a token or credential in a problem. Not thread-safe; use once.
 */
final class EnvironmentReader {
    static final String SUBSCRIPTION_VARIABLE = "LLM_SUBSCRIPTION_VARIABLE";
    private static final List<String> GATEWAY_URL_VARIABLES =
            List.of("LLM_GATEWAY_URL", "OPENAI_BASE_URL", "OPENAI_API_BASE", "NEWAPI_BASE_URL");
    private static final List<String> TOKEN_VARIABLES = List.of("LLM_GATEWAY_TOKEN", "OPENAI_API_KEY", "NEWAPI_KEY");
    private static final String TOKEN_FILE_VARIABLE = "LLM_GATEWAY_TOKEN_FILE";
    /** Variables whose values the runtime reads, prints or serves: none of them may hold a credential. */
    private static final List<String> RUNTIME_VARIABLES = List.of("HOST", "PORT", "LLM_DEFAULT_MODEL", SUBSCRIPTION_VARIABLE,
            "LLM_GATEWAY_URL", "LLM_GATEWAY_TOKEN", TOKEN_FILE_VARIABLE);

    private final Map<String, String> environment;
    private final List<String> problems = new ArrayList<>();

    EnvironmentReader(Map<String, String> environment) {
        this.environment = environment;
    }

    RuntimeConfig read() {
        String subscriptionVariable = valueOf(SUBSCRIPTION_VARIABLE);
        if (subscriptionVariable != null && RUNTIME_VARIABLES.contains(subscriptionVariable)) {
            // That variable would hold the credential, and reading it as, say, PORT would print it: stop here.
            throw new InvalidConfigurationException(List.of(SUBSCRIPTION_VARIABLE + ": \"" + subscriptionVariable
                    + "\" is one of the runtime's own variables (expected: the variable holding the provider credential,"
                    + " e.g. ANTHROPIC_API_KEY)"));
        }
        String host = valueOf("HOST");
        int port = port();
        LlmAccess llm = subscriptionVariable == null ? gateway() : subscription(subscriptionVariable);
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(problems);
        }
        return new RuntimeConfig(host == null ? "0.0.0.0" : host, port, llm, valueOf("LLM_DEFAULT_MODEL"));
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

    private LlmAccess gateway() {
        URI url = gatewayUrl();
        Path tokenFile = path(TOKEN_FILE_VARIABLE);
        String token = tokenFile == null
                ? secret(TOKEN_VARIABLES, TOKEN_FILE_VARIABLE, "the sandbox's gateway token")
                : null;
        return problems.isEmpty() ? new LlmAccess.Gateway(url, tokenFile, token) : null;
    }

    private LlmAccess subscription(String variable) {
        List<String> gatewayVariables = Stream.of(GATEWAY_URL_VARIABLES, TOKEN_VARIABLES, List.of(TOKEN_FILE_VARIABLE))
                .flatMap(List::stream)
                // OPENAI_API_KEY is both a gateway token alias and OpenAI's own credential variable.
                .filter(name -> !name.equals(variable) && valueOf(name) != null)
                .toList();
        if (!gatewayVariables.isEmpty()) {
            problems.add(String.join(", ", gatewayVariables) + ": must not be set when " + SUBSCRIPTION_VARIABLE
                    + " is (a sandbox holds either a gateway token or its owner's credential, never both)");
        }
        if (!LlmAccess.Subscription.VARIABLE_NAME.matcher(variable).matches()) {
            // The value is not echoed: a credential put here by mistake must not reach a log.
            problems.add(SUBSCRIPTION_VARIABLE + ": not an environment variable name (value not shown; expected: "
                    + LlmAccess.Subscription.VARIABLE_NAME + ", e.g. ANTHROPIC_API_KEY)");
            return null;
        }
        String fileVariable = variable + "_FILE";
        Path credentialFile = path(fileVariable);
        if (credentialFile == null) {
            secret(List.of(variable), fileVariable, "the sandbox owner's provider credential");
        }
        return problems.isEmpty() ? new LlmAccess.Subscription(variable, credentialFile) : null;
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

    private Path path(String variable) {
        String value = valueOf(variable);
        if (value == null) {
            return null;
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            problems.add(variable + ": \"" + value + "\" is not a valid path");
            return null;
        }
    }

    /**
     * The value of the first of {@code names} that is set, if it can go into an {@code Authorization}
     * header; a problem when it cannot, or when neither it nor {@code fileVariable} is set.
     */
    private String secret(List<String> names, String fileVariable, String what) {
        String name = firstSet(names);
        if (name == null) {
            if (valueOf(fileVariable) == null) {
                problems.add(fileVariable + " or " + String.join(" or ", names)
                        + ": required (expected: " + what + ", or the path of a file holding it)");
            }
            return null;
        }
        String secret = valueOf(name);
        if (!TokenSource.isWellFormed(secret)) {
            problems.add(name + ": must be printable ASCII without spaces (value not shown)");
            return null;
        }
        return secret;
    }

    private String firstSet(List<String> names) {
        return names.stream().filter(name -> valueOf(name) != null).findFirst().orElse(null);
    }

    private String valueOf(String name) {
        String value = environment.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }
}
