package dev.gatehouse.deploy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Each required value, each pinned image and each placeholder fails the render with its message. */
class ChartGuardsTest {

    @Test
    void noValuesAtAll_failsNamingPublicUrlFirst() {
        assertThatThrownBy(Chart.values().rendering())
                .hasMessageContaining("publicUrl is required")
                .hasMessageContaining("e.g. --set publicUrl=https://gatehouse.acme.test");
    }

    @Test
    void httpPublicUrlInProduction_fails() {
        assertThatThrownBy(Chart.values("minimal.yaml").set("publicUrl", "http://gatehouse.acme.test").rendering())
                .hasMessageContaining("publicUrl: \"http://gatehouse.acme.test\" (expected: an https:// URL while production is true");
    }

    @Test
    void placeholderPublicUrl_fails() {
        assertThatThrownBy(Chart.values("minimal.yaml").set("publicUrl", "https://<your-host>").rendering())
                .hasMessageContaining("publicUrl: \"https://<your-host>\" looks like a placeholder left from an example");
    }

    @Test
    void missingImageRepository_fails() {
        assertThatThrownBy(Chart.values("minimal.yaml").set("image.repository", "").rendering())
                .hasMessageContaining("image.repository is required")
                .hasMessageContaining("--set image.repository=ghcr.io/acme/gatehouse");
    }

    @Test
    void unpinnedImage_fails() {
        assertThatThrownBy(Chart.values("minimal.yaml").set("image.tag", "").rendering())
                .hasMessageContaining("image.digest or image.tag is required: pin the image");
    }

    @Test
    void mutableTag_fails() {
        assertThatThrownBy(Chart.values("minimal.yaml").set("image.tag", "latest").rendering())
                .hasMessageContaining("image.tag: \"latest\" is not pinned");
    }

    @Test
    void zeroDigestLeftFromAnExample_fails() {
        assertThatThrownBy(Chart.values("minimal.yaml").set("image.digest", "sha256:" + "0".repeat(64)).rendering())
                .hasMessageContaining("image.digest: \"sha256:" + "0".repeat(64) + "\" looks like a placeholder");
    }

    @Test
    void malformedDigest_fails() {
        assertThatThrownBy(Chart.values("minimal.yaml").set("image.digest", "sha256:abc").rendering())
                .hasMessageContaining("image.digest: \"sha256:abc\" (expected: sha256: and 64 hex digits");
    }

    @Test
    void noPostgresInProduction_fails() {
        assertThatThrownBy(Chart.values("minimal.yaml").set("postgresql.url", "").rendering())
                .hasMessageContaining("postgresql.url is required: PostgreSQL is needed because production is true");
    }

    @Test
    void noPostgresWithTwoReplicas_failsEvenOutsideProduction() {
        assertThatThrownBy(Chart.values("minimal.yaml").set("production", false).set("publicUrl", "http://gatehouse.local")
                .set("postgresql.url", "").set("roles.replicas", 2).rendering())
                .hasMessageContaining("postgresql.url is required: PostgreSQL is needed because more than one pod runs");
    }

    @Test
    void noPostgresWithSplitRoles_fails() {
        assertThatThrownBy(Chart.values("minimal.yaml").set("production", false).set("publicUrl", "http://gatehouse.local")
                .set("postgresql.url", "").set("roles.split", true).rendering())
                .hasMessageContaining("PostgreSQL is needed because more than one pod runs");
    }

    @Test
    void noPostgresWithAutoscaling_fails() {
        assertThatThrownBy(Chart.values("minimal.yaml").set("production", false).set("publicUrl", "http://gatehouse.local")
                .set("postgresql.url", "").set("autoscaling.enabled", true).rendering())
                .hasMessageContaining("PostgreSQL is needed because more than one pod runs");
    }

    @Test
    void placeholderPostgresUrl_fails() {
        assertThatThrownBy(Chart.values("minimal.yaml").set("postgresql.url", "jdbc:postgresql://CHANGE-ME:5432/gatehouse").rendering())
                .hasMessageContaining("postgresql.url: \"jdbc:postgresql://CHANGE-ME:5432/gatehouse\" looks like a placeholder");
    }

    @Test
    void postgresWithoutPasswordSecret_fails() {
        assertThatThrownBy(Chart.values("minimal.yaml").set("postgresql.existingSecret", "").rendering())
                .hasMessageContaining("postgresql.existingSecret is required");
    }

    @Test
    void sandboxControllerWithoutNamespace_fails() {
        assertThatThrownBy(Chart.values("production.yaml").set("sandbox.namespace", "").rendering())
                .hasMessageContaining("sandbox.namespace is required")
                .hasMessageContaining("--set sandbox.namespace=gatehouse-sandboxes");
    }

    @Test
    void sandboxNamespaceEqualToTheRelease_fails() {
        assertThatThrownBy(Chart.values("production.yaml").set("sandbox.namespace", Chart.NAMESPACE).rendering())
                .hasMessageContaining("sandbox.namespace: \"gatehouse\" is the release namespace");
    }

    @Test
    void sandboxControllerWithoutRuntimeImage_fails() {
        assertThatThrownBy(Chart.values("production.yaml").set("sandbox.runtimeImage.repository", "").rendering())
                .hasMessageContaining("sandbox.runtimeImage.repository is required");
    }

    @Test
    void sandboxRuntimeImageUnpinned_fails() {
        assertThatThrownBy(Chart.values("production.yaml").set("sandbox.runtimeImage.digest", "")
                .set("sandbox.runtimeImage.tag", "v1").rendering())
                .hasMessageContaining("sandbox.runtimeImage.tag: \"v1\" is not pinned");
    }

    @Test
    void ingressWithoutHost_fails() {
        assertThatThrownBy(Chart.values("minimal.yaml").set("ingress.enabled", true).rendering())
                .hasMessageContaining("ingress.host is required");
    }

    @Test
    void configSettingAChartOwnedKey_fails() {
        assertThatThrownBy(Chart.values("minimal.yaml").set("config.store.url", "jdbc:sqlite:x.db").rendering())
                .hasMessageContaining("config.store: set by the chart");
    }

    @Test
    void managementPortOnTheApiPort_fails() {
        assertThatThrownBy(Chart.values("minimal.yaml").set("service.managementPort", 8080).rendering())
                .hasMessageContaining("service.managementPort: 8080 is the pods' API port (expected: a port of its own");
    }

    @Test
    void managementPortOnTheServicePort_fails() {
        assertThatThrownBy(Chart.values("minimal.yaml").set("service.port", 9464).rendering())
                .hasMessageContaining("service.managementPort: 9464 is service.port (expected: a port of its own");
    }

    @Test
    void configSettingTheManagementPort_fails() {
        assertThatThrownBy(Chart.values("minimal.yaml").set("config.server.managementPort", 9000).rendering())
                .hasMessageContaining("config.server: set by the chart");
    }

    @Test
    void unknownTopLevelValue_isRefusedByTheSchema() {
        assertThatThrownBy(Chart.values("minimal.yaml").set("replicaCount", 3).rendering())
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining("replicaCount");
    }

    @Test
    void wrongTypeIsRefusedByTheSchema() {
        assertThatThrownBy(Chart.values("minimal.yaml").set("roles.replicas", "many").rendering())
                .hasMessageContaining("at '/roles/replicas': got string, want integer");
    }
}
