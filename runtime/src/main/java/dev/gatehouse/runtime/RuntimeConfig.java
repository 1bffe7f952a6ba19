package dev.gatehouse.runtime;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * Everything the sandbox runtime knows: where to listen and how the sandbox reaches an LLM
 * ({@link LlmAccess}). Immutable and thread-safe; {@link #toString()} never shows a token.
 *
 * <p>{@code port} 0 picks a free port. {@code defaultModel} may be {@code null}.
 *
 * <p>{@link #fromEnvironment(Map)} reads the environment contract:
 * <ul>
 *   <li>{@code PORT} (default 8080, 1..65535) and {@code HOST} (default {@code 0.0.0.0});</li>
 *   <li>{@code LLM_SUBSCRIPTION_VARIABLE}: when set, subscription mode: the name {@code <VAR>} of the
 *       variable holding the owner's provider credential, {@code [A-Z_][A-Z0-9_]{0,127}} and none of
 *       the runtime's own variables; {@code <VAR>_FILE} (wins) or {@code <VAR>} is required, and no
 *       gateway variable may be set;</li>
 *   <li>else gateway mode: {@code LLM_GATEWAY_URL}, else {@code OPENAI_BASE_URL},
 *       {@code OPENAI_API_BASE}, {@code NEWAPI_BASE_URL}: required, an absolute http(s) URL whose path
 *       ends in {@code /v1}; {@code LLM_GATEWAY_TOKEN_FILE}, else {@code LLM_GATEWAY_TOKEN},
 *       {@code OPENAI_API_KEY}, {@code NEWAPI_KEY}: one is required;</li>
 *   <li>{@code LLM_DEFAULT_MODEL}: optional.</li>
 * </ul>
 * Blank variables count as unset; the first one set of a list wins.
 */
public record RuntimeConfig(String host, int port, LlmAccess llm, String defaultModel) {

    public RuntimeConfig {
        requireNonNull(host, "host");
        requireNonNull(llm, "llm");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
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
}
