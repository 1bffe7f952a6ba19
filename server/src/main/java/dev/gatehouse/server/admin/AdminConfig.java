package dev.gatehouse.server.admin;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.config.Secret;
import java.util.Optional;

/**
 * The admin API (audit log, revoking any token).
 *
 * @param secret the bearer secret admins present, at least {@link #MIN_SECRET_BYTES} bytes; when
 *     absent the admin API is disabled and answers 503
 */
public record AdminConfig(Optional<Secret> secret) {

    public static final int MIN_SECRET_BYTES = 32;

    public AdminConfig {
        requireNonNull(secret, "secret");
        secret.ifPresent(value -> {
            if (value.length() < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("admin.secret: " + value.length()
                        + " bytes (expected: >= " + MIN_SECRET_BYTES + " bytes)");
            }
        });
    }
}
