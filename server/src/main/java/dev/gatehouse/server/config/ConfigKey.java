package dev.gatehouse.server.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * One configuration key: its YAML path, the environment variables that set it, its type, default
 * and where its value ends up in {@link GatehouseConfig}. Every key is listed in {@link ConfigKeys}.
 *
 * @param path YAML path, e.g. {@code server.maxBodyBytes}
 * @param type how values are parsed and shown
 * @param defaultText the default as documented
 * @param fallback the value when the key is not set (possibly derived from other keys), or empty
 * @param reader reads the value back out of a loaded configuration
 * @param envAliases further environment variables setting this key, besides {@link #envName()}
 * @param description one sentence for the documentation
 */
record ConfigKey<T>(
        String path,
        ValueType<T> type,
        String defaultText,
        Function<Settings, Optional<T>> fallback,
        Function<GatehouseConfig, Optional<T>> reader,
        List<String> envAliases,
        String description) {

    static final String FILE_SUFFIX = "File";
    static final String ENV_FILE_SUFFIX = "_FILE";
    private static final String ENV_PREFIX = "GATEHOUSE_";

    ConfigKey {
        envAliases = List.copyOf(envAliases);
    }

    /** A key with a fixed default. */
    static <T> ConfigKey<T> withDefault(
            String path, ValueType<T> type, T value, Function<GatehouseConfig, T> reader, String description) {
        return derived(path, type, type.format(value), settings -> value, reader, description);
    }

    /** A key whose default is computed from other keys. */
    static <T> ConfigKey<T> derived(
            String path,
            ValueType<T> type,
            String defaultText,
            Function<Settings, T> value,
            Function<GatehouseConfig, T> reader,
            String description) {
        return new ConfigKey<>(path, type, defaultText, settings -> Optional.of(value.apply(settings)),
                reader.andThen(Optional::of), List.of(), description);
    }

    /** A key that may stay unset. */
    static <T> ConfigKey<T> optional(
            String path, ValueType<T> type, Function<GatehouseConfig, Optional<T>> reader, String description) {
        return new ConfigKey<>(path, type, "(not set)", settings -> Optional.empty(), reader, List.of(), description);
    }

    ConfigKey<T> withEnvAlias(String name) {
        List<String> aliases = new ArrayList<>(envAliases);
        aliases.add(name);
        return new ConfigKey<>(path, type, defaultText, fallback, reader, aliases, description);
    }

    boolean secret() {
        return type.secret();
    }

    /** {@code GATEHOUSE_} + the path with dots and camelCase humps turned into underscores, upper case. */
    String envName() {
        return ENV_PREFIX + path.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /** Every environment variable that sets this key, {@code _FILE} forms included for secrets. */
    List<String> envNames() {
        List<String> names = new ArrayList<>();
        names.add(envName());
        names.addAll(envAliases);
        if (secret()) {
            names.addAll(names.stream().map(name -> name + ENV_FILE_SUFFIX).toList());
        }
        return names;
    }

    /** Every YAML path that sets this key: the path and, for secrets, {@code <path>File}. */
    List<String> yamlPaths() {
        return secret() ? List.of(path, path + FILE_SUFFIX) : List.of(path);
    }

    /** The value in {@code config} as {@code describe} shows it; secrets only as {@code (set)}. */
    String show(GatehouseConfig config) {
        return reader.apply(config).map(type::format).orElse("(not set)");
    }
}
