package dev.gatehouse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The rendered objects applied to fabric8's mock API server, and what Helm's lookup does with what
 * the cluster already holds: the generated Secret is kept across upgrades.
 */
class ChartOnClusterTest {

    private final KubernetesClient client = Cluster.client();

    @Test
    void productionExample_everyObjectIsAcceptedAndReadBack() throws IOException {
        Manifests m = Manifests.parse(Chart.values("production.yaml").render("production"));
        client.resource(new NamespaceBuilder().withNewMetadata().withName("gatehouse-sandboxes").endMetadata().build())
                .createOr(existing -> existing.update());

        for (HasMetadata object : m.all()) {
            String namespace = object.getMetadata().getNamespace() != null ? object.getMetadata().getNamespace() : Chart.NAMESPACE;
            client.resource(object).inNamespace(namespace).createOr(existing -> existing.update());
        }

        Role role = client.rbac().roles().inNamespace("gatehouse-sandboxes").withName("gatehouse-sandbox-controller").get();
        assertThat(role).as("the Role lives in the sandbox namespace").isNotNull();
        RoleBinding binding = client.rbac().roleBindings().inNamespace("gatehouse-sandboxes")
                .withName("gatehouse-sandbox-controller").get();
        assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
            assertThat(subject.getName()).isEqualTo("gatehouse");
            assertThat(subject.getNamespace()).isEqualTo(Chart.NAMESPACE);
        });
        assertThat(client.apps().deployments().inNamespace(Chart.NAMESPACE).list().getItems())
                .extracting(d -> d.getMetadata().getName())
                .contains("gatehouse-auth", "gatehouse-gateway", "gatehouse-sandbox", "gatehouse-byos");
        assertThat(client.network().v1().networkPolicies().inNamespace(Chart.NAMESPACE).withName("gatehouse").get()).isNotNull();
        assertThat(client.policy().v1().podDisruptionBudget().inNamespace(Chart.NAMESPACE).list().getItems()).hasSize(4);
    }

    @Test
    void sandboxControllerRole_createRulesCarryNoResourceNames_andNothingIsClusterWide() {
        Manifests m = Manifests.parse(Chart.values("production.yaml").render());

        assertThat(m.kinds()).noneMatch(k -> k.startsWith("ClusterRole"));
        Role role = m.one(Role.class, "gatehouse-sandbox-controller");
        assertThat(role.getMetadata().getNamespace()).isEqualTo("gatehouse-sandboxes");
        assertThat(role.getRules()).filteredOn(rule -> rule.getVerbs().contains("create"))
                .hasSize(2)
                .allSatisfy(rule -> {
                    assertThat(rule.getVerbs()).as("create in rules of its own").containsExactly("create");
                    assertThat(rule.getResourceNames()).as("no resourceNames on create").isNullOrEmpty();
                });
        assertThat(role.getRules()).flatExtracting(rule -> rule.getVerbs()).doesNotContain("*", "deletecollection", "patch");
        assertThat(role.getRules()).flatExtracting(rule -> rule.getResources())
                .containsOnly("configmaps", "services", "pods", "persistentvolumeclaims", "secrets", "networkpolicies");
    }

    @Test
    void noSecretValueInAnyDeployment_onlyFilePaths() {
        Manifests m = Manifests.parse(Chart.values("minimal.yaml").set("secrets.hs256", true).render());
        Secret generated = m.one(Secret.class, "gatehouse-keys");

        for (Deployment deployment : m.all(Deployment.class)) {
            String yaml = io.fabric8.kubernetes.client.utils.Serialization.asYaml(deployment);
            generated.getData().forEach((key, encoded) -> {
                assertThat(yaml).as("%s of the generated Secret", key).doesNotContain(encoded)
                        .doesNotContain(ChartRenderTest.decode(generated, key));
            });
            deployment.getSpec().getTemplate().getSpec().getContainers().forEach(container ->
                    container.getEnv().forEach(env -> {
                        assertThat(env.getValueFrom()).as(env.getName()).isNull();
                        if (env.getName().matches(".*(SECRET|PASSWORD|KEK).*")) {
                            assertThat(env.getName()).endsWith("_FILE");
                            assertThat(env.getValue()).startsWith("/run/secrets/gatehouse/");
                        }
                    }));
        }
    }

    @Test
    void generatedSecret_isReadBackOnUpgrade_notRegenerated() {
        String name = "gatehouse-keys";
        client.secrets().inNamespace(Chart.NAMESPACE).withName(name).delete();
        Secret first = Manifests.parse(Chart.values("minimal.yaml").render()).one(Secret.class, name);
        Secret fresh = Manifests.parse(Chart.values("minimal.yaml").render()).one(Secret.class, name);
        assertThat(fresh.getData()).as("nothing installed yet: every render generates").isNotEqualTo(first.getData());

        client.resource(first).inNamespace(Chart.NAMESPACE).create();
        Secret upgraded = Manifests.parse(Chart.values("minimal.yaml").set("roles.replicas", 2).render()).one(Secret.class, name);

        assertThat(upgraded.getData()).isEqualTo(first.getData());
        assertThat(upgraded.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
        client.secrets().inNamespace(Chart.NAMESPACE).withName(name).delete();
    }
}
