package dev.gatehouse.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The examples and every toggle, rendered and read back as fabric8 objects. */
class ChartRenderTest {
    private static final String SANDBOXES = "gatehouse-sandboxes";

    @Test
    void minimal_oneDeploymentOfEveryRoleButTheSandbox_lockedDown() throws IOException {
        Manifests m = Manifests.parse(Chart.values("minimal.yaml").render("minimal"));

        assertThat(m.all(Deployment.class)).extracting(d -> d.getMetadata().getName()).containsExactly("gatehouse");
        Deployment deployment = m.one(Deployment.class, "gatehouse");
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().get(0);
        assertThat(env(container)).containsEntry("GATEHOUSE_ROLES", "auth,gateway,byos")
                .containsEntry("GATEHOUSE_KEYS_KEK_FILE", "/run/secrets/gatehouse/keys/kek")
                .containsEntry("GATEHOUSE_ADMIN_SECRET_FILE", "/run/secrets/gatehouse/keys/admin-secret")
                .containsEntry("GATEHOUSE_STORE_PASSWORD_FILE", "/run/secrets/gatehouse/store/password");
        assertThat(container.getImage()).isEqualTo("ghcr.io/acme/gatehouse:3f2c1ab");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(container.getVolumeMounts()).extracting(v -> v.getMountPath())
                .contains("/tmp", "/var/lib/gatehouse", "/etc/gatehouse");

        assertThat(m.find(Role.class, "gatehouse-sandbox-controller")).isEmpty();
        assertThat(m.all(Ingress.class)).isEmpty();
        assertThat(m.all(HorizontalPodAutoscaler.class)).isEmpty();
        assertThat(m.all(PodDisruptionBudget.class)).hasSize(1);

        Secret keys = m.one(Secret.class, "gatehouse-keys");
        assertThat(keys.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
        assertThat(decode(keys, "kek")).hasSize(44);   // base64 of 32 bytes
        assertThat(decode(keys, "admin-secret")).hasSizeGreaterThanOrEqualTo(32);

        String config = m.one(ConfigMap.class, "gatehouse").getData().get("gatehouse.yaml");
        assertThat(config).contains("publicUrl: https://gatehouse.acme.test", "issuer: https://gatehouse.acme.test",
                "url: jdbc:postgresql://postgres.db.svc:5432/gatehouse", "production: true", "audience: gatehouse");
        assertThat(m.find(ConfigMap.class, "gatehouse-realm-shared-sovereign")).isPresent();
        assertThat(m.find(ConfigMap.class, "gatehouse-realm-per-organization")).isPresent();

        assertThat(config).contains("managementPort: 9464");
        assertThat(container.getPorts()).extracting(ContainerPort::getName, ContainerPort::getContainerPort)
                .containsExactly(tuple("http", 8080), tuple("management", 9464));
        assertThat(m.one(Service.class, "gatehouse").getSpec().getPorts())
                .extracting(ServicePort::getName, ServicePort::getPort, p -> p.getTargetPort().getStrVal())
                .containsExactly(tuple("http", 8080, "http"), tuple("management", 9464, "management"));
        NetworkPolicy policy = m.one(NetworkPolicy.class, "gatehouse");
        assertThat(rule(policy, "http").getFrom()).as("the API port: any source").isNullOrEmpty();
        assertThat(rule(policy, "management").getFrom()).as("the management port: pods of any namespace, nothing outside")
                .singleElement().satisfies(peer -> {
                    assertThat(peer.getNamespaceSelector()).isEqualTo(new LabelSelector());
                    assertThat(peer.getIpBlock()).isNull();
                });
    }

    @Test
    void production_everyRoleSplit_sandboxController_redis_ingress_hpa_serviceMonitor() throws IOException {
        Manifests m = Manifests.parse(Chart.values("production.yaml").render("production"));

        assertThat(m.all(Deployment.class)).extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrder("gatehouse-auth", "gatehouse-gateway", "gatehouse-sandbox", "gatehouse-byos");
        assertThat(m.all(Service.class)).extracting(s -> s.getMetadata().getName())
                .containsExactlyInAnyOrder("gatehouse-auth", "gatehouse-gateway", "gatehouse-sandbox", "gatehouse-byos");
        for (String role : new String[] {"auth", "gateway", "sandbox", "byos"}) {
            Deployment deployment = m.one(Deployment.class, "gatehouse-" + role);
            assertThat(env(deployment.getSpec().getTemplate().getSpec().getContainers().get(0)))
                    .containsEntry("GATEHOUSE_ROLES", role)
                    .containsEntry("GATEHOUSE_GATEWAY_LIMITS_REDIS_PASSWORD_FILE", "/run/secrets/gatehouse/redis/password");
            assertThat(deployment.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken())
                    .as("only the sandbox controller mounts an API token (%s)", role).isEqualTo(role.equals("sandbox"));
        }
        assertThat(m.one(Deployment.class, "gatehouse-gateway").getSpec().getReplicas()).as("the HPA owns it").isNull();
        assertThat(m.one(Deployment.class, "gatehouse-auth").getSpec().getReplicas()).isEqualTo(2);
        assertThat(m.one(Deployment.class, "gatehouse-gateway").getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .startsWith("registry.bank.test/platform/gatehouse@sha256:");
        assertThat(m.one(HorizontalPodAutoscaler.class, "gatehouse-gateway").getSpec().getScaleTargetRef().getName())
                .isEqualTo("gatehouse-gateway");
        assertThat(m.all(PodDisruptionBudget.class)).hasSize(4);
        assertThat(m.find(Secret.class, "gatehouse-keys")).as("an existing Secret is named: none generated").isEmpty();

        Ingress ingress = m.one(Ingress.class, "gatehouse");
        assertThat(ingress.getSpec().getRules().get(0).getHttp().getPaths())
                .extracting(HTTPIngressPath::getPath, p -> p.getBackend().getService().getName())
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("/api/v1/sandbox/sessions", "gatehouse-sandbox"),
                        org.assertj.core.groups.Tuple.tuple("/api/v1/sandbox/profiles", "gatehouse-sandbox"),
                        org.assertj.core.groups.Tuple.tuple("/sandboxes", "gatehouse-sandbox"),
                        org.assertj.core.groups.Tuple.tuple("/v1", "gatehouse-gateway"),
                        org.assertj.core.groups.Tuple.tuple("/admin/usage", "gatehouse-gateway"),
                        org.assertj.core.groups.Tuple.tuple("/admin/channels", "gatehouse-gateway"),
                        org.assertj.core.groups.Tuple.tuple("/api/v1/usage", "gatehouse-gateway"),
                        org.assertj.core.groups.Tuple.tuple("/api/v1/sandbox/byos", "gatehouse-byos"),
                        org.assertj.core.groups.Tuple.tuple("/", "gatehouse-auth"));
        assertThat(ingress.getSpec().getTls().get(0).getSecretName()).isEqualTo("gatehouse-tls");

        GenericKubernetesResource monitor = m.all(GenericKubernetesResource.class).stream()
                .filter(r -> r.getKind().equals("ServiceMonitor")).findFirst().orElseThrow();
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
        assertThat(monitor.<List<Map<String, Object>>>get("spec", "endpoints")).singleElement()
                .satisfies(endpoint -> assertThat(endpoint).containsEntry("port", "management")
                        .containsEntry("path", "/metrics"));
        assertThat(ingress.getSpec().getRules().get(0).getHttp().getPaths())
                .as("the Ingress reaches the API port only")
                .allSatisfy(path -> assertThat(path.getBackend().getService().getPort().getName()).isEqualTo("http"));
        assertThat(m.all(Service.class)).allSatisfy(service -> assertThat(service.getSpec().getPorts())
                .extracting(ServicePort::getName).containsExactly("http", "management"));

        NetworkPolicy policy = m.one(NetworkPolicy.class, "gatehouse");
        assertThat(rule(policy, "http").getFrom()).as("the sandboxes call the gateway")
                .anySatisfy(peer -> assertThat(peer.getNamespaceSelector().getMatchLabels())
                        .containsEntry("kubernetes.io/metadata.name", SANDBOXES));
        List<NetworkPolicyPeer> management = rule(policy, "management").getFrom();
        assertThat(management).as("ingressFrom's namespaces: ingress-nginx, monitoring").hasSize(2)
                .allSatisfy(peer -> assertThat(peer.getNamespaceSelector().getMatchLabels())
                        .containsKey("kubernetes.io/metadata.name"));
        neverAdmitsTheSandboxes(management);

        String config = m.one(ConfigMap.class, "gatehouse").getData().get("gatehouse.yaml");
        assertThat(config).contains("backend: kubernetes", "namespace: gatehouse-sandboxes",
                "gatewayUrl: http://gatehouse-gateway.gatehouse.svc:8080/v1",
                "image: registry.bank.test/platform/gatehouse-runtime@sha256:", "store: redis",
                "url: redis://redis.cache.svc:6379/0", "apiKeyFile: /run/secrets/gatehouse/upstream/gatehouse-llm-keys/qwen");
    }

    @Test
    void allRolesInOneDeployment_withTheSandboxController_mountsTheApiToken() {
        Manifests m = Manifests.parse(Chart.values("production.yaml").set("roles.split", false).set("roles.replicas", 2)
                .set("autoscaling.enabled", false).render());

        Deployment deployment = m.one(Deployment.class, "gatehouse");
        assertThat(env(deployment.getSpec().getTemplate().getSpec().getContainers().get(0)))
                .containsEntry("GATEHOUSE_ROLES", "auth,gateway,sandbox,byos");
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(deployment.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isTrue();
        assertThat(m.one(Ingress.class, "gatehouse").getSpec().getRules().get(0).getHttp().getPaths())
                .extracting(p -> p.getPath() + " -> " + p.getBackend().getService().getName())
                .containsExactly("/ -> gatehouse");
        assertThat(m.one(ConfigMap.class, "gatehouse").getData().get("gatehouse.yaml"))
                .contains("gatewayUrl: http://gatehouse.gatehouse.svc:8080/v1");
    }

    @Test
    void sandboxControllerWithoutIngressFrom_managementPortAdmitsEveryNamespaceButTheSandboxes() {
        // null removes the example's list, leaving none, as [] would (helm-java passes {} on as a string).
        Manifests m = Manifests.parse(Chart.values("production.yaml").set("networkPolicy.ingressFrom", "null").render());

        NetworkPolicy policy = m.one(NetworkPolicy.class, "gatehouse");
        assertThat(rule(policy, "http").getFrom()).as("the API port: any source").isNullOrEmpty();
        List<NetworkPolicyPeer> management = rule(policy, "management").getFrom();
        assertThat(management).singleElement().satisfies(peer ->
                assertThat(peer.getNamespaceSelector().getMatchLabels()).as("no other condition").isNullOrEmpty());
        neverAdmitsTheSandboxes(management);
    }

    @Test
    void ingressFromSelectingEveryNamespace_stillNeverAdmitsTheSandboxesOnTheManagementPort() {
        Manifests m = Manifests.parse(Chart.values("production.yaml")
                .set("networkPolicy.ingressFrom[0].namespaceSelector.matchLabels.team", "platform")
                .set("networkPolicy.ingressFrom[1].namespaceSelector.matchExpressions[0].key", "kubernetes.io/metadata.name")
                .set("networkPolicy.ingressFrom[1].namespaceSelector.matchExpressions[0].operator", "Exists")
                .set("networkPolicy.ingressFrom[2].podSelector.matchLabels.app", "prometheus")
                .render());

        List<NetworkPolicyPeer> management = rule(m.one(NetworkPolicy.class, "gatehouse"), "management").getFrom();
        assertThat(management).hasSize(3);
        assertThat(management.get(1).getNamespaceSelector().getMatchExpressions()).as("the operator's own, then ours")
                .extracting(LabelSelectorRequirement::getOperator).containsExactly("Exists", "NotIn");
        assertThat(management.get(2).getNamespaceSelector()).as("a pod of the release's own namespace").isNull();
        neverAdmitsTheSandboxes(management);
    }

    @Test
    void sandboxControllerOff_noRoleNoSandboxRole() {
        Manifests m = Manifests.parse(Chart.values("production.yaml").set("sandbox.enabled", false).render());

        assertThat(m.all(Role.class)).isEmpty();
        assertThat(m.find(Deployment.class, "gatehouse-sandbox")).isEmpty();
        assertThat(m.all(Deployment.class)).allSatisfy(d ->
                assertThat(d.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse());
        assertThat(m.one(ConfigMap.class, "gatehouse").getData().get("gatehouse.yaml")).doesNotContain("backend: kubernetes");
    }

    @Test
    void hpaOnAllInOne_scalesTheOnlyDeployment() {
        Manifests m = Manifests.parse(Chart.values("minimal.yaml").set("autoscaling.enabled", true).render());

        assertThat(m.one(HorizontalPodAutoscaler.class, "gatehouse").getSpec().getScaleTargetRef().getName()).isEqualTo("gatehouse");
        assertThat(m.one(Deployment.class, "gatehouse").getSpec().getReplicas()).isNull();
    }

    @Test
    void togglesOff_noPdbNoNetworkPolicyNoRealms() {
        Manifests m = Manifests.parse(Chart.values("minimal.yaml").set("podDisruptionBudget.enabled", false)
                .set("networkPolicy.enabled", false).set("keycloakRealms.enabled", false).render());

        assertThat(m.kinds()).noneMatch(k -> k.startsWith("PodDisruptionBudget/") || k.startsWith("NetworkPolicy/")
                || k.startsWith("ConfigMap/gatehouse-realm"));
    }

    @Test
    void hs256_mountsItsFile() {
        Manifests m = Manifests.parse(Chart.values("minimal.yaml").set("secrets.hs256", true).render());

        assertThat(env(m.one(Deployment.class, "gatehouse").getSpec().getTemplate().getSpec().getContainers().get(0)))
                .containsEntry("GATEHOUSE_KEYS_HS256_SECRET_FILE", "/run/secrets/gatehouse/keys/hs256-secret");
        assertThat(m.one(Secret.class, "gatehouse-keys").getData()).containsKey("hs256-secret");
    }

    /** The policy's ingress rule for the named port. */
    private static NetworkPolicyIngressRule rule(NetworkPolicy policy, String port) {
        List<NetworkPolicyIngressRule> rules = policy.getSpec().getIngress().stream()
                .filter(rule -> rule.getPorts().stream().anyMatch(p -> port.equals(p.getPort().getStrVal())))
                .toList();
        assertThat(rules).as("the ingress rules for port %s", port).hasSize(1);
        return rules.get(0);
    }

    /**
     * No peer can be a pod of the sandbox namespace: each names namespaces through a selector that
     * excludes it, or has no namespaceSelector (the release's own namespace, which the guards keep
     * apart from the sandboxes'), and none is an address block.
     */
    private static void neverAdmitsTheSandboxes(List<NetworkPolicyPeer> peers) {
        assertThat(peers).isNotEmpty().allSatisfy(peer -> {
            assertThat(peer.getIpBlock()).isNull();
            LabelSelector namespaces = peer.getNamespaceSelector();
            if (namespaces != null) {
                assertThat(namespaces.getMatchLabels()).doesNotContainEntry("kubernetes.io/metadata.name", SANDBOXES);
                assertThat(namespaces.getMatchExpressions()).contains(new LabelSelectorRequirement(
                        "kubernetes.io/metadata.name", "NotIn", List.of(SANDBOXES)));
            }
        });
    }

    static Map<String, String> env(Container container) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        container.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
        return env;
    }

    static String decode(Secret secret, String key) {
        return new String(java.util.Base64.getDecoder().decode(secret.getData().get(key)), java.nio.charset.StandardCharsets.UTF_8);
    }
}
