package dev.gatehouse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.config.ConfigLoader;
import dev.gatehouse.server.config.GatehouseConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each Deployment's configuration, as its pod would see it (the ConfigMap's gatehouse.yaml plus the
 * container's environment, the Secret files stood in by files of the right shape), accepted by
 * Gatehouse's own loader, production rules included.
 */
class ChartConfigTest {

    private static final String SECRETS = "/run/secrets/gatehouse/";

    @ParameterizedTest
    @ValueSource(strings = {"minimal.yaml", "production.yaml"})
    void everyDeploymentOfTheExample_loadsWithoutProblems(String example, @TempDir Path dir) throws IOException {
        Manifests m = Manifests.parse(Chart.values(example).render());
        Path config = dir.resolve("gatehouse.yaml");
        Files.writeString(config, m.one(ConfigMap.class, "gatehouse").getData().get("gatehouse.yaml"));

        for (Deployment deployment : m.all(Deployment.class)) {
            Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
            Map<String, String> env = new HashMap<>();
            for (var variable : container.getEnv()) {
                String value = variable.getValue();
                if (value.startsWith(SECRETS)) {
                    value = standIn(dir, value).toString();
                }
                env.put(variable.getName(), value);
            }
            env.remove("GATEHOUSE_CONFIG");

            GatehouseConfig loaded = ConfigLoader.load(config, env);

            assertThat(loaded.production()).isTrue();
            assertThat(ConfigLoader.describe(loaded)).as(deployment.getMetadata().getName())
                    .contains("server.publicUrl = " + (example.equals("minimal.yaml")
                            ? "https://gatehouse.acme.test" : "https://gatehouse.bank.test"))
                    .contains("keys.kek = (set)", "store.password = (set)");
        }
    }

    /** A file standing in for a mounted Secret key: a 32-byte base64 key for kek, text otherwise. */
    private static Path standIn(Path dir, String mountedPath) throws IOException {
        Path file = dir.resolve(mountedPath.substring(SECRETS.length()));
        Files.createDirectories(file.getParent());
        String content = file.getFileName().toString().equals("kek")
                ? java.util.Base64.getEncoder().encodeToString(new byte[32])
                : "stand-in-secret-of-at-least-32-bytes-0123456789";
        Files.writeString(file, content + "\n");
        return file;
    }
}
