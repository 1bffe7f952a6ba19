package dev.gatehouse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * helm lint, strict. helm-java's lint takes no values file, and the chart's own values.yaml leaves the
 * required values empty: so the chart is linted as shipped and as a copy whose values.yaml carries
 * the minimal example's values, which renders every default template.
 */
class ChartLintTest {

    @Test
    void chartAsShipped_lintsCleanInStrictMode() {
        // helm lint does not report fail() of the required values; the guards have their own tests.
        LintResult result = new Helm(Chart.DIRECTORY).lint().strict().call();

        assertThat(result.getMessages()).as("lint messages").noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
        assertThat(result.isFailed()).isFalse();
    }

    @Test
    void chartWithTheMinimalExampleAsValues_lintsCleanInStrictMode(@TempDir Path dir) throws IOException {
        Path copy = dir.resolve("gatehouse");
        ChartCopy.of(Chart.DIRECTORY, copy);
        String defaults = Files.readString(Chart.DIRECTORY.resolve("values.yaml"));
        String minimal = Files.readString(Chart.EXAMPLES.resolve("minimal.yaml"));
        Files.writeString(copy.resolve("values.yaml"), withOverrides(defaults, minimal));

        LintResult result = new Helm(copy).lint().strict().call();

        assertThat(result.getMessages()).as("lint messages").noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
        assertThat(result.isFailed()).isFalse();
    }

    /** The chart's defaults with every top-level key the example sets replaced by the example's. */
    private static String withOverrides(String defaults, String example) {
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> values = Serialization.unmarshal(defaults, java.util.LinkedHashMap.class);
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> overrides = Serialization.unmarshal(example, java.util.LinkedHashMap.class);
        overrides.forEach((key, value) -> values.merge(key, value, ChartLintTest::merge));
        return Serialization.asYaml(values);
    }

    @SuppressWarnings("unchecked")
    private static Object merge(Object base, Object override) {
        if (base instanceof java.util.Map<?, ?> b && override instanceof java.util.Map<?, ?> o) {
            var merged = new java.util.LinkedHashMap<String, Object>((java.util.Map<String, Object>) b);
            ((java.util.Map<String, Object>) o).forEach((k, v) -> merged.merge(k, v, ChartLintTest::merge));
            return merged;
        }
        return override;
    }
}
