package dev.gatehouse.server.sandbox;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code sandbox} role: where sandboxes run, what they are given, how many one may hold, and when
 * they are stopped or get a new token. Immutable; validated in the constructor (rules spanning other
 * capabilities, such as profile channels existing, are checked by the configuration loader).
 *
 * @param backend where sandboxes run
 * @param gatewayUrl the gateway's OpenAI base URL every sandbox is given (ends in {@code /v1})
 * @param profiles the configured profiles, always with one named {@value SandboxProfile#DEFAULT}
 * @param maxPerUser live sandboxes (pending, running, stopping) one user may hold in one organization
 * @param maxPerOrganization live sandboxes one organization may hold
 * @param startTimeout how long a sandbox may stay pending before it is failed and removed
 * @param idleTimeout a running sandbox with neither proxied traffic nor gateway calls for this long is stopped
 * @param maxLifetime a sandbox running this long is stopped, however busy
 * @param tokenRotateBefore a sandbox's gateway token is replaced this long before it expires
 * @param reapInterval how often idle, expired, stuck and due-for-rotation sandboxes are looked for
 * @param gcInterval how often orphans are collected (backend objects without a record, and records
 *     without backend objects); also once at start
 * @param kubernetes the kubernetes backend's settings (used only with {@link Backend#KUBERNETES})
 */
public record SandboxConfig(
        Backend backend,
        URI gatewayUrl,
        List<SandboxProfile> profiles,
        int maxPerUser,
        int maxPerOrganization,
        Duration startTimeout,
        Duration idleTimeout,
        Duration maxLifetime,
        Duration tokenRotateBefore,
        Duration reapInterval,
        Duration gcInterval,
        KubernetesSandboxConfig kubernetes) {

    public SandboxConfig {
        requireNonNull(backend, "backend");
        requireNonNull(gatewayUrl, "gatewayUrl");
        requireNonNull(kubernetes, "kubernetes");
        profiles = withDefault(requireNonNull(profiles, "profiles"));
        String scheme = gatewayUrl.getScheme() == null ? "" : gatewayUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || gatewayUrl.getHost() == null
                || gatewayUrl.getRawQuery() != null || gatewayUrl.getRawFragment() != null) {
            throw new IllegalArgumentException("sandbox.gatewayUrl: \"" + gatewayUrl
                    + "\" (expected: http or https URL without query, e.g. http://gatehouse:8080/v1)");
        }
        if (maxPerUser < 1 || maxPerUser > 1000) {
            throw new IllegalArgumentException("sandbox.maxPerUser: " + maxPerUser + " (expected: 1..1000)");
        }
        if (maxPerOrganization < 1 || maxPerOrganization > 100_000) {
            throw new IllegalArgumentException("sandbox.maxPerOrganization: " + maxPerOrganization
                    + " (expected: 1..100000)");
        }
        positive("sandbox.startTimeout", startTimeout);
        positive("sandbox.idleTimeout", idleTimeout);
        positive("sandbox.maxLifetime", maxLifetime);
        positive("sandbox.tokenRotateBefore", tokenRotateBefore);
        positive("sandbox.reapInterval", reapInterval);
        positive("sandbox.gcInterval", gcInterval);
    }

    /**
     * The longest lifetime of the tokens the controller mints (7 days, or {@code tokens.maxTtl}, cap it
     * further): a sandbox's maximum lifetime plus {@code tokenRotateBefore}, so that a token never
     * outlives its sandbox by much, even one whose revocation was missed.
     */
    public Duration tokenLifetime() {
        return maxLifetime.plus(tokenRotateBefore);
    }

    /** The profile named {@code name}. */
    public Optional<SandboxProfile> profile(String name) {
        return profiles.stream().filter(profile -> profile.name().equals(name)).findFirst();
    }

    /** The profiles' names, in configuration order. */
    public List<String> profileNames() {
        return profiles.stream().map(SandboxProfile::name).toList();
    }

    private static List<SandboxProfile> withDefault(List<SandboxProfile> configured) {
        List<SandboxProfile> profiles = new ArrayList<>(configured);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < profiles.size(); i++) {
            if (!names.add(profiles.get(i).name())) {
                throw new IllegalArgumentException("sandbox.profiles[" + i + "].name: \"" + profiles.get(i).name()
                        + "\" (expected: each profile name once)");
            }
        }
        if (!names.contains(SandboxProfile.DEFAULT)) {
            profiles.add(0, SandboxProfile.builtInDefault());
        }
        return List.copyOf(profiles);
    }

    private static void positive(String key, Duration value) {
        requireNonNull(value, key);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + ": " + value + " (expected: > 0)");
        }
    }

    /** Where sandboxes run. */
    public enum Backend {
        /** The runtime as a child process of this Gatehouse, on a loopback port (one replica, development). */
        PROCESS,
        /** A pod, Secret, Service and NetworkPolicy per sandbox in one namespace (production). */
        KUBERNETES;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Backend> fromConfigName(String name) {
            for (Backend backend : values()) {
                if (backend.configName().equals(name)) {
                    return Optional.of(backend);
                }
            }
            return Optional.empty();
        }
    }
}
