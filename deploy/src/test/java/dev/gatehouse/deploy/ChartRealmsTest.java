package dev.gatehouse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every keycloak/*-realm.json ships as a ConfigMap, unchanged, including one added later. */
class ChartRealmsTest {

    @Test
    void eachRealmTemplate_isAConfigMapHoldingTheFileAsIs() throws IOException {
        Manifests m = Manifests.parse(Chart.values("minimal.yaml").render());
        Path realms = Chart.DIRECTORY.resolve("files/realms");

        try (var files = Files.list(realms)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith("-realm.json")).toList()) {
                String name = file.getFileName().toString();
                ConfigMap map = m.one(ConfigMap.class, "gatehouse-realm-" + name.replace("-realm.json", ""));
                assertThat(map.getData()).containsOnlyKeys(name);
                assertThat(map.getData().get(name)).isEqualTo(Files.readString(file).stripTrailing());
            }
        }
    }

    @Test
    void aRealmFileAddedToKeycloak_shipsWithoutAChartChange(@TempDir Path dir) throws IOException {
        Path chart = ChartCopy.of(Chart.DIRECTORY, dir.resolve("gatehouse"));
        Files.writeString(chart.resolve("files/realms/fapi-realm.json"), "{\"realm\": \"${ORG}\", \"sslRequired\": \"all\"}\n");

        String manifest = new Helm(chart).template().withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE)
                .withValuesFile(Chart.EXAMPLES.resolve("minimal.yaml")).set("keycloakRealms.namespace", "keycloak").call();

        ConfigMap fapi = Manifests.parse(manifest).one(ConfigMap.class, "gatehouse-realm-fapi");
        assertThat(fapi.getMetadata().getNamespace()).isEqualTo("keycloak");
        assertThat(fapi.getData()).containsEntry("fapi-realm.json", "{\"realm\": \"${ORG}\", \"sslRequired\": \"all\"}");
    }
}
