package dev.gatehouse.server.config;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.secrets.Secret;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Loads the {@link GatehouseConfig} from one YAML file (optional) and the environment.
 *
 * <p>Every key has an environment variable, {@code GATEHOUSE_} + its path in upper snake case
 * ({@code server.maxBodyBytes} is {@code GATEHOUSE_SERVER_MAX_BODY_BYTES}); the environment wins
 * over the file, and the file over the defaults. Secret keys can also be read from a file named by
 * {@code <VAR>_FILE} or {@code <key>File}. {@code NEWAPI_TOKEN_SIGNING_KEY} sets
 * {@code keys.hs256Secret}.
 *
 * <p>Every problem is found in one pass and reported together in one {@link ConfigException}:
 * unreadable values, unknown keys and variables, range violations of the configuration records and,
 * with {@code production: true}, each refused development-only convenience ({@link ProductionRule}).
 * No message ever contains a secret value. Stateless and thread-safe.
 */
public final class ConfigLoader {

    private ConfigLoader() {}

    /**
     * @param fileOrNull the YAML file, or {@code null} for defaults and environment only
     * @param env the process environment (e.g. {@link System#getenv()})
     * @throws ConfigException listing every problem found
     */
    public static GatehouseConfig load(Path fileOrNull, Map<String, String> env) {
        requireNonNull(env, "env");
        Map<String, Object> yaml = fileOrNull == null ? Map.of() : YamlDocument.read(fileOrNull);
        Problems problems = new Problems();
        Map<ConfigKey<?>, InputResolver.Input> inputs = new InputResolver(problems).resolve(yaml, env);
        Settings settings = Settings.empty();
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            InputResolver.Input input = inputs.get(key);
            if (input != null) {
                settings = parse(settings, key, input, problems);
            }
        }
        checkEachAlone(settings, problems);
        GatehouseConfig config;
        try {
            config = ConfigKeys.assemble(settings.without(problems.keys()));
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            throw problems.toException();
        }
        checkConsistency(config, settings, problems);
        if (config.production()) {
            checkProduction(config, settings, problems);
        }
        problems.throwIfAny();
        return config;
    }

    /**
     * One {@code key = value} line per key, sorted by key, for {@code gatehouse config check}. Secrets
     * show only {@code (set)} or {@code (not set)}.
     */
    public static List<String> describe(GatehouseConfig config) {
        requireNonNull(config, "config");
        return ConfigKeys.ALL.stream()
                .sorted(Comparator.comparing(ConfigKey::path))
                .map(key -> key.path() + " = " + key.show(config))
                .toList();
    }

    private static <T> Settings parse(
            Settings settings, ConfigKey<T> key, InputResolver.Input input, Problems problems) {
        try {
            return settings.with(key, key.type().parse(input.text()), input.label());
        } catch (IllegalArgumentException e) {
            if (key.type().structured() && e.getMessage() != null) {
                problems.add(key, input.label() + e.getMessage());
                return settings;
            }
            String given = key.secret()
                    ? (e.getMessage() == null ? "invalid" : e.getMessage())
                    : Problems.quote(input.text());
            problems.add(key, input.label() + ": " + given + " (expected: " + key.type().expected() + ")");
            return settings;
        }
    }

    /**
     * Builds the records once per set key, with every other key at its default, so that the range
     * rules in their constructors report every violation rather than the first one.
     */
    private static void checkEachAlone(Settings settings, Problems problems) {
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            if (!settings.isSet(key)) {
                continue;
            }
            try {
                ConfigKeys.assemble(settings.only(key));
            } catch (IllegalArgumentException e) {
                problems.add(key, relabel(e.getMessage(), key, settings.label(key)));
            }
        }
    }

    /**
     * Rules between keys, checked on the whole configuration: {@link #checkEachAlone} cannot, since
     * it sees one key at a time with the others at their defaults.
     */
    private static void checkConsistency(GatehouseConfig config, Settings settings, Problems problems) {
        for (ConsistencyRule rule : ConsistencyRule.ALL) {
            ConfigKey<?> key = rule.key();
            if (rule.allows().test(config) || problems.keys().contains(key)) {
                continue;
            }
            problems.add(key, settings.label(key) + ": " + key.show(config)
                    + " (expected: " + rule.expected().apply(config) + ")");
        }
    }

    private static void checkProduction(GatehouseConfig config, Settings settings, Problems problems) {
        for (ProductionRule rule : ProductionRule.ALL) {
            ConfigKey<?> key = rule.key();
            if (rule.allows().test(config) || problems.keys().contains(key)) {
                continue;
            }
            String value = key.secret() ? key.show(config) : Problems.quote(key.show(config));
            problems.add(key, settings.label(key) + ": " + value + " (expected: " + rule.expected() + ")");
        }
    }

    /** Names the variable instead of the YAML path when the value came from the environment. */
    private static String relabel(String message, ConfigKey<?> key, String label) {
        String prefix = key.path() + ": ";
        return label + ": " + (message.startsWith(prefix) ? message.substring(prefix.length()) : message);
    }
}
