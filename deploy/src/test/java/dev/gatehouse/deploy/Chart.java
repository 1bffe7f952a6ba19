package dev.gatehouse.deploy;

import static java.util.Objects.requireNonNull;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert;

/**
 * The chart under test, rendered with helm-java (Helm's own Go code through JNI): the same
 * {@code helm template} an operator runs. Each render names its values files and {@code --set}
 * pairs; the release is {@value #RELEASE} in namespace {@value #NAMESPACE}.
 */
final class Chart {

    static final String RELEASE = "gatehouse";
    static final String NAMESPACE = "gatehouse";
    static final Path DIRECTORY = locate();
    static final Path EXAMPLES = DIRECTORY.resolve("examples");
    /** Where every successful render is written, for docs/deploy.md's excerpts. */
    static final Path OUTPUT = Path.of("target", "rendered");

    private final Map<String, Object> sets = new LinkedHashMap<>();
    private final java.util.List<Path> valuesFiles = new java.util.ArrayList<>();

    private Chart() {
    }

    static Chart values(String... exampleFiles) {
        Chart chart = new Chart();
        for (String file : exampleFiles) {
            chart.valuesFiles.add(EXAMPLES.resolve(file));
        }
        return chart;
    }

    Chart set(String key, Object value) {
        sets.put(requireNonNull(key, "key"), requireNonNull(value, "value"));
        return this;
    }

    /**
     * Renders as {@code helm template} does, or throws Helm's error (an IllegalStateException
     * carrying the message). {@code lookup} reads from {@link Cluster}'s mock API server.
     */
    String render() {
        Cluster.client();
        TemplateCommand template = new Helm(DIRECTORY).template().withName(RELEASE).withNamespace(NAMESPACE);
        valuesFiles.forEach(template::withValuesFile);
        sets.forEach(template::set);
        return template.call();
    }

    /** Renders and keeps the output under target/rendered/{name}.yaml. */
    String render(String name) throws IOException {
        String manifest = render();
        Files.createDirectories(OUTPUT);
        Files.writeString(OUTPUT.resolve(name + ".yaml"), manifest, StandardCharsets.UTF_8);
        return manifest;
    }

    ThrowableAssert.ThrowingCallable rendering() {
        return this::render;
    }

    private static Path locate() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path chart = dir.resolve("deploy/helm/gatehouse");
            if (Files.isRegularFile(chart.resolve("Chart.yaml"))) {
                return chart;
            }
            if (Files.isRegularFile(dir.resolve("helm/gatehouse/Chart.yaml"))) {
                return dir.resolve("helm/gatehouse");
            }
        }
        throw new IllegalStateException("deploy/helm/gatehouse not found above " + Path.of("").toAbsolutePath());
    }
}
