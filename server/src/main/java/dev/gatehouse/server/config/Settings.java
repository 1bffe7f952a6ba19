package dev.gatehouse.server.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The explicitly set, parsed values of one load, each with the label of where it came from (YAML
 * path or environment variable). Unset keys answer with their default. Immutable.
 */
final class Settings {
    private record Value(Object value, String label) {}

    private final Map<ConfigKey<?>, Value> values;

    private Settings(Map<ConfigKey<?>, Value> values) {
        this.values = Map.copyOf(values);
    }

    static Settings empty() {
        return new Settings(Map.of());
    }

    <T> Settings with(ConfigKey<T> key, T value, String label) {
        Map<ConfigKey<?>, Value> copy = new LinkedHashMap<>(values);
        copy.put(key, new Value(value, label));
        return new Settings(copy);
    }

    /** These settings with only {@code key} set, every other key at its default. */
    Settings only(ConfigKey<?> key) {
        return new Settings(Map.of(key, values.get(key)));
    }

    /** These settings with {@code keys} back at their defaults. */
    Settings without(Set<ConfigKey<?>> keys) {
        Map<ConfigKey<?>, Value> copy = new LinkedHashMap<>(values);
        copy.keySet().removeAll(keys);
        return new Settings(copy);
    }

    boolean isSet(ConfigKey<?> key) {
        return values.containsKey(key);
    }

    /** Where {@code key} was set, or its YAML path when it was not. */
    String label(ConfigKey<?> key) {
        Value value = values.get(key);
        return value == null ? key.path() : value.label();
    }

    @SuppressWarnings("unchecked") // with() only stores a T under a ConfigKey<T>
    <T> Optional<T> get(ConfigKey<T> key) {
        Value value = values.get(key);
        return value == null ? key.fallback().apply(this) : Optional.of((T) value.value());
    }

    <T> T require(ConfigKey<T> key) {
        return get(key).orElseThrow(() -> new IllegalStateException(key.path() + ": no default"));
    }
}
