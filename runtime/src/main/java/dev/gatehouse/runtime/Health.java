package dev.gatehouse.runtime;

import java.util.function.BooleanSupplier;

/**
 * The body of {@code GET /healthz}: {@code {"status":"ok","llm":"gateway"}}, or in subscription mode
 * {@code {"status":"ok","llm":"subscription","credential_variable":"…","credential_available":…}},
 * either followed by {@code "default_model"} when one is configured. Never calls the gateway and never
 * shows a credential. Thread-safe.
 */
@FunctionalInterface
interface Health {

    String json();

    static Health of(RuntimeConfig config) {
        String end = config.defaultModel() == null ? "}" : ",\"default_model\":" + Json.string(config.defaultModel()) + "}";
        if (config.llm() instanceof LlmAccess.Subscription subscription) {
            String start = "{\"status\":\"ok\",\"llm\":\"subscription\",\"credential_variable\":"
                    + Json.string(subscription.variable()) + ",\"credential_available\":";
            BooleanSupplier available = credentialAvailable(subscription);
            return () -> start + available.getAsBoolean() + end;
        }
        String json = "{\"status\":\"ok\",\"llm\":\"gateway\"" + end;
        return () -> json;
    }

    /** Whether the credential can be read now; one held in the variable was checked at start and cannot change. */
    private static BooleanSupplier credentialAvailable(LlmAccess.Subscription subscription) {
        if (subscription.credentialFile() == null) {
            return () -> true;
        }
        TokenFile file = new TokenFile(subscription.credentialFile());
        return () -> file.current().isPresent();
    }
}
