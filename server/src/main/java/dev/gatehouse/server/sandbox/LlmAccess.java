package dev.gatehouse.server.sandbox;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.List;

/**
 * How a sandbox reaches an LLM, and the one credential it holds for it: Gatehouse's gateway with a
 * sandbox token, or (bring your own subscription) its owner's provider directly, with the owner's
 * access token or key. {@link #toString()} never shows the credential.
 */
public sealed interface LlmAccess {

    /** The credential the runtime holds: never logged. */
    String credential();

    /** The same access with another credential (a rotated token, a refreshed subscription). */
    LlmAccess withCredential(String credential);

    /**
     * Through the gateway.
     *
     * @param url the gateway's OpenAI base URL, ending in {@code /v1}
     * @param credential the sandbox's gateway token
     */
    record Gateway(URI url, String credential) implements LlmAccess {
        /** The variables the runtime finds the gateway's URL in (the first is the contract, the others aliases). */
        public static final List<String> URL_VARIABLES =
                List.of("LLM_GATEWAY_URL", "OPENAI_BASE_URL", "OPENAI_API_BASE", "NEWAPI_BASE_URL");
        /** The variables the runtime finds its gateway token in. */
        public static final List<String> TOKEN_VARIABLES = List.of("LLM_GATEWAY_TOKEN", "OPENAI_API_KEY", "NEWAPI_KEY");
        /**
         * Where Anthropic's SDKs find the gateway: its base without {@code /v1}, as they append
         * {@code /v1/messages} themselves.
         */
        public static final String ANTHROPIC_URL_VARIABLE = "ANTHROPIC_BASE_URL";
        /** Where Anthropic's SDKs find their key: the sandbox token, which they send as {@code x-api-key}. */
        public static final String ANTHROPIC_TOKEN_VARIABLE = "ANTHROPIC_API_KEY";
        /** The variable naming the file the token is rewritten in, with file delivery. */
        public static final String TOKEN_FILE_VARIABLE = "LLM_GATEWAY_TOKEN_FILE";

        public Gateway {
            requireNonNull(url, "url");
            requireNonNull(credential, "credential");
        }

        @Override
        public Gateway withCredential(String newCredential) {
            return new Gateway(url, newCredential);
        }

        /** The gateway's base for Anthropic's SDKs: {@link #url} without its trailing {@code /v1}. */
        public String anthropicUrl() {
            String base = url.toString().replaceAll("/+$", "");
            return base.endsWith("/v1") ? base.substring(0, base.length() - 3) : base;
        }

        @Override
        public String toString() {
            return "Gateway[url=" + url + ", credential=redacted]";
        }
    }

    /**
     * Directly to the owner's provider, bypassing the gateway.
     *
     * @param provider the provider's name ({@code byos.providers})
     * @param variable the environment variable the credential is given in, e.g. {@code ANTHROPIC_API_KEY}
     * @param credential the owner's access token or key
     * @param apiCidrs the address ranges of the provider's API the sandbox may reach
     * @param apiPort the port of the provider's API
     */
    record Subscription(String provider, String variable, String credential, List<String> apiCidrs, int apiPort)
            implements LlmAccess {
        /** The variable telling the runtime which variable holds the credential (and that it has no gateway). */
        public static final String VARIABLE_VARIABLE = "LLM_SUBSCRIPTION_VARIABLE";

        public Subscription {
            requireNonNull(provider, "provider");
            requireNonNull(variable, "variable");
            requireNonNull(credential, "credential");
            apiCidrs = List.copyOf(requireNonNull(apiCidrs, "apiCidrs"));
        }

        @Override
        public Subscription withCredential(String newCredential) {
            return new Subscription(provider, variable, newCredential, apiCidrs, apiPort);
        }

        @Override
        public String toString() {
            return "Subscription[provider=" + provider + ", variable=" + variable + ", apiCidrs=" + apiCidrs
                    + ", apiPort=" + apiPort + ", credential=redacted]";
        }
    }
}
