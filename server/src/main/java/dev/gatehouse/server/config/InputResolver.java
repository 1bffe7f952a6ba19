package dev.gatehouse.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.server.secrets.Secret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Picks, for every key, the one text that sets it: from the environment if any variable of the key
 * is set (empty counts as unset), else from the YAML file. Secret keys may name a file instead
 * ({@code <VAR>_FILE}, {@code <path>File}); the file is read and one trailing newline stripped.
 * Reports unknown YAML keys and unknown {@code GATEHOUSE_*} variables.
 */
final class InputResolver {
    /** The text of one key and where it came from (variable name or YAML path). */
    record Input(String label, String text) {}

    private record Source(String label, Object raw, boolean file) {}

    private static final String ENV_PREFIX = "GATEHOUSE_";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> RESERVED_ENV =
            Set.of("GATEHOUSE_CONFIG", "GATEHOUSE_JAVA_OPTS", "GATEHOUSE_JAVA_HOME");
    private static final String RESERVED_ENV_PREFIX = "GATEHOUSE_TEST_";

    private final Problems problems;
    private final Set<String> yamlPaths;
    private final Set<String> sections;
    private final Set<String> envNames;

    InputResolver(Problems problems) {
        this.problems = problems;
        this.yamlPaths = ConfigKeys.ALL.stream()
                .flatMap(key -> key.yamlPaths().stream())
                .collect(Collectors.toCollection(LinkedHashSet::new));
        this.sections = yamlPaths.stream()
                .flatMap(path -> IntStream.range(0, path.length())
                        .filter(i -> path.charAt(i) == '.')
                        .mapToObj(i -> path.substring(0, i)))
                .collect(Collectors.toSet());
        this.envNames = ConfigKeys.ALL.stream()
                .flatMap(key -> key.envNames().stream())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    Map<ConfigKey<?>, Input> resolve(Map<String, Object> yaml, Map<String, String> env) {
        Map<String, Object> flat = new LinkedHashMap<>();
        flatten(yaml, "", flat);
        reportUnknownEnv(env);
        Map<ConfigKey<?>, Input> inputs = new LinkedHashMap<>();
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            List<Source> fromEnv = envSources(key, env);
            List<Source> sources = fromEnv.isEmpty() ? yamlSources(key, flat) : fromEnv;
            if (sources.size() > 1) {
                problems.add(key, key.path() + ": set by both "
                        + sources.stream().map(Source::label).collect(Collectors.joining(" and "))
                        + " (expected: exactly one of them)");
            } else if (sources.size() == 1) {
                text(key, sources.get(0)).ifPresent(text -> inputs.put(key, new Input(sources.get(0).label(), text)));
            }
        }
        return inputs;
    }

    private void flatten(Map<String, Object> node, String prefix, Map<String, Object> flat) {
        node.forEach((name, value) -> {
            String path = prefix.isEmpty() ? name : prefix + "." + name;
            if (yamlPaths.contains(path)) {
                flat.put(path, value);
            } else if (sections.contains(path)) {
                section(path, value, flat);
            } else {
                problems.add(path + ": unknown key" + DidYouMean.suggest(path, yamlPaths)
                        .map(suggestion -> " (did you mean " + suggestion + "?)")
                        .orElse(""));
            }
        });
    }

    @SuppressWarnings("unchecked") // YamlDocument reads mappings as Map<String, Object>
    private void section(String path, Object value, Map<String, Object> flat) {
        if (value instanceof Map<?, ?> map) {
            flatten((Map<String, Object>) map, path, flat);
        } else if (!"".equals(value)) {
            problems.add(path + ": " + kind(value) + " (expected: a mapping of " + path + ".* keys)");
        }
    }

    private void reportUnknownEnv(Map<String, String> env) {
        env.keySet().stream()
                .filter(name -> name.startsWith(ENV_PREFIX) && !envNames.contains(name))
                .filter(name -> !RESERVED_ENV.contains(name) && !name.startsWith(RESERVED_ENV_PREFIX))
                .sorted()
                .forEach(name -> problems.add(name + ": unknown variable" + DidYouMean.suggest(name, envNames)
                        .map(suggestion -> " (did you mean " + suggestion + "?)")
                        .orElse("")));
    }

    private static List<Source> envSources(ConfigKey<?> key, Map<String, String> env) {
        List<String> names = new ArrayList<>();
        names.add(key.envName());
        names.addAll(key.envAliases());
        List<Source> sources = new ArrayList<>();
        for (String name : names) {
            addIfSet(sources, name, env.get(name), false);
            if (key.secret()) {
                String fileName = name + ConfigKey.ENV_FILE_SUFFIX;
                addIfSet(sources, fileName, env.get(fileName), true);
            }
        }
        return sources;
    }

    private static List<Source> yamlSources(ConfigKey<?> key, Map<String, Object> flat) {
        List<Source> sources = new ArrayList<>();
        addIfSet(sources, key.path(), flat.get(key.path()), false);
        if (key.secret()) {
            String filePath = key.path() + ConfigKey.FILE_SUFFIX;
            addIfSet(sources, filePath, flat.get(filePath), true);
        }
        return sources;
    }

    private static void addIfSet(List<Source> sources, String label, Object raw, boolean file) {
        if (raw != null && !"".equals(raw)) {
            sources.add(new Source(label, raw, file));
        }
    }

    private Optional<String> text(ConfigKey<?> key, Source source) {
        String expected = source.file() ? "path of a readable file" : key.type().expected();
        if (source.raw() instanceof String text) {
            return source.file() ? readFile(key, source.label(), text) : Optional.of(text);
        }
        if (source.raw() instanceof List<?> list && key.type().list() && !source.file()
                && list.stream().allMatch(String.class::isInstance)) {
            return Optional.of(list.stream().map(String.class::cast).collect(Collectors.joining(",")));
        }
        if ((source.raw() instanceof List<?> || source.raw() instanceof Map<?, ?>) && key.type().structured()
                && !source.file()) {
            try {
                return Optional.of(JSON.writeValueAsString(source.raw()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("YAML values are maps, lists and strings", e);
            }
        }
        if (source.raw() instanceof Map<?, ?> map && key.type().mapping() && !source.file()) {
            Optional<String> text = mappingText(map);
            if (text.isPresent()) {
                return text;
            }
        }
        problems.add(key, source.label() + ": " + kind(source.raw()) + " (expected: " + expected + ")");
        return Optional.empty();
    }

    /** {@code {a: [x, y], b: z}} as {@code a=x,y;b=z}; empty when a value is neither text nor a list of text. */
    private static Optional<String> mappingText(Map<?, ?> map) {
        List<String> entries = new ArrayList<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            Object value = entry.getValue();
            String items;
            if (value instanceof String text) {
                items = text;
            } else if (value instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
                items = list.stream().map(String.class::cast).collect(Collectors.joining(","));
            } else {
                return Optional.empty();
            }
            entries.add(entry.getKey() + "=" + items);
        }
        return Optional.of(String.join(";", entries));
    }

    private Optional<String> readFile(ConfigKey<?> key, String label, String pathText) {
        Path path;
        try {
            path = Path.of(pathText.strip());
        } catch (InvalidPathException e) {
            problems.add(key, label + ": " + Problems.quote(pathText) + " (expected: path of a readable file)");
            return Optional.empty();
        }
        try {
            return Optional.of(stripOneNewline(Files.readString(path)));
        } catch (IOException e) {
            problems.add(key, label + ": cannot read " + path + " (" + Problems.reason(e) + ")");
            return Optional.empty();
        }
    }

    private static String stripOneNewline(String text) {
        if (text.endsWith("\r\n")) {
            return text.substring(0, text.length() - 2);
        }
        return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    }

    private static String kind(Object raw) {
        if (raw instanceof Map<?, ?>) {
            return "a mapping";
        }
        return raw instanceof List<?> ? "a list" : Problems.quote(raw.toString());
    }
}
