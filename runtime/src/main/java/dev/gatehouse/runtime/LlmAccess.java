package dev.gatehouse.runtime;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * How the sandbox reaches an LLM: through Gatehouse's gateway with the sandbox's token
 * ({@link Gateway}), or straight at the provider with its owner's own subscription
 * ({@link Subscription}), in which case the runtime forwards nothing. A sandbox is given one or the
 * other, never both. Implementations are immutable and thread-safe; {@code toString()} never shows a
 * token.
 */
public sealed interface LlmAccess {

    /**
     * Calls go to the gateway's OpenAI base URL {@code url} (kept without a trailing slash) with the
     * token from {@code tokenFile} (re-read when it changes) or {@code token}; exactly one of the two is
     * set.
     */
    record Gateway(URI url, Path tokenFile, String token) implements LlmAccess {
        public Gateway {
            requireNonNull(url, "url");
            if ((tokenFile == null) == (token == null)) {
                throw new IllegalArgumentException("tokenFile, token: exactly one must be set");
            }
            String text = url.toString();
            if (text.endsWith("/")) {
                url = URI.create(text.substring(0, text.length() - 1));
            }
        }

        @Override
        public String toString() {
            return "Gateway[url=" + url + ", tokenFile=" + tokenFile + ", token=" + (token == null ? null : "(hidden)") + "]";
        }
    }

    /**
     * There is no gateway: agents call the provider themselves with the owner's credential, which is
     * in the environment variable {@code variable}, or in {@code credentialFile} when that is not null
     * (then re-read when it changes). The runtime holds no credential; it only tells whether the file
     * can be read.
     */
    record Subscription(String variable, Path credentialFile) implements LlmAccess {
        /** What {@code variable} must match. */
        public static final Pattern VARIABLE_NAME = Pattern.compile("[A-Z_][A-Z0-9_]{0,127}");

        public Subscription {
            requireNonNull(variable, "variable");
            if (!VARIABLE_NAME.matcher(variable).matches()) {
                // The value is not echoed: a credential put here by mistake must not reach a log.
                throw new IllegalArgumentException("variable: not an environment variable name (expected: "
                        + VARIABLE_NAME + ")");
            }
        }
    }
}
