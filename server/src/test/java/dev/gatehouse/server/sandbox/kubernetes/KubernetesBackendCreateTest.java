package dev.gatehouse.server.sandbox.kubernetes;

import static dev.gatehouse.server.sandbox.kubernetes.Sandboxes.NAMESPACE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

import dev.gatehouse.server.sandbox.LlmAccess;
import dev.gatehouse.server.sandbox.SandboxBackendException;
import dev.gatehouse.server.sandbox.SandboxSpec;
import dev.gatehouse.server.sandbox.TokenDelivery;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The objects {@code create} makes, read back from fabric8's mock API server, and what a failed create leaves. */
@EnableKubernetesMockClient(crud = true)
class KubernetesBackendCreateTest {
    private static final String PROFILE_IMAGE = "registry.test/agents/coder:7";

    KubernetesClient client;
    KubernetesMockServer server;
    private KubernetesBackend backend;

    /**
     * Not started: nothing here needs the watch, and fabric8's mock can deadlock for a minute when a
     * watch is closed while it still has an event to send (the events tests wait for theirs).
     */
    @BeforeEach
    void createBackend() {
        backend = KubernetesBackend.create(client, Sandboxes.selectorConfig(Optional.of(Sandboxes.CONFIG_IMAGE)));
    }

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    @Test
    void create_postsTheOwnerFirst_theNetworkPolicyBeforeThePod() throws InterruptedException {
        backend.create(Sandboxes.spec(Sandboxes.isolatedProfile(PROFILE_IMAGE)));

        String base = "/api/v1/namespaces/" + NAMESPACE;
        assertThat(posts()).containsExactly(base + "/configmaps", base + "/secrets", base + "/persistentvolumeclaims",
                base + "/services", "/apis/networking.k8s.io/v1/namespaces/" + NAMESPACE + "/networkpolicies",
                base + "/pods");
    }

    @Test
    void create_everyOtherObject_isControlledByTheOwnerConfigMap() {
        SandboxSpec spec = Sandboxes.spec(Sandboxes.isolatedProfile(PROFILE_IMAGE));

        backend.create(spec);

        String id = spec.id();
        ConfigMap owner = client.configMaps().inNamespace(NAMESPACE).withName("sandbox-" + id).get();
        assertThat(owner.getData()).containsExactly(entry("profile", "isolated"));
        assertThat(owner.getMetadata().getOwnerReferences()).isEmpty();
        OwnerReference byOwner = new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap")
                .withName("sandbox-" + id).withUid(owner.getMetadata().getUid()).withController(true)
                .withBlockOwnerDeletion(true).build();
        assertThat(owner.getMetadata().getUid()).isNotBlank();
        assertThat(children(id))
                .extracting(child -> child.getKind() + "/" + child.getMetadata().getName())
                .containsExactlyInAnyOrder("Secret/newapi-key-" + id, "PersistentVolumeClaim/sandbox-" + id + "-workspace",
                        "Service/sandbox-" + id, "NetworkPolicy/sandbox-" + id, "Pod/sandbox-" + id + "-1");
        assertThat(children(id)).allSatisfy(child ->
                assertThat(child.getMetadata().getOwnerReferences()).containsExactly(byOwner));
    }

    @Test
    void create_secretHoldsTheGatewayUrlTheTokenAndTheModel() {
        SandboxSpec spec = Sandboxes.spec(Sandboxes.profile(TokenDelivery.FILE));

        backend.create(spec);

        Secret secret = secret(spec.id());
        assertThat(secret.getType()).isEqualTo("Opaque");
        assertThat(decoded(secret)).isEqualTo(Map.of("base-url", Sandboxes.gatewayUrl(spec), "api-key", spec.token(),
                "anthropic-base-url", Sandboxes.gatewayUrl(spec).replaceFirst("/v1$", ""),
                "default-model", spec.model().orElseThrow()));
    }

    @Test
    void create_withoutModel_secretHasNoDefaultModel() {
        SandboxSpec withModel = Sandboxes.spec(Sandboxes.profile(TokenDelivery.FILE));
        SandboxSpec spec = new SandboxSpec(withModel.id(), withModel.organization(), withModel.user(),
                withModel.profile(), withModel.access(), Optional.empty());

        backend.create(spec);

        assertThat(decoded(secret(spec.id()))).containsOnlyKeys("base-url", "api-key", "anthropic-base-url");
    }

    @Test
    void create_runtimeTakesEveryLlmValueFromTheSecret_noneInline() {
        SandboxSpec spec = Sandboxes.spec(Sandboxes.profile(TokenDelivery.FILE), "alice@acme.test");

        backend.create(spec);

        Pod pod = pod(spec.id());
        String secret = "newapi-key-" + spec.id();
        assertThat(runtime(pod).getEnv())
                .extracting(EnvVar::getName, env -> secretRef(env, SecretKeySelector::getName),
                        env -> secretRef(env, SecretKeySelector::getKey),
                        env -> secretRef(env, SecretKeySelector::getOptional), EnvVar::getValue)
                .containsExactly(
                        tuple("LLM_GATEWAY_URL", secret, "base-url", false, null),
                        tuple("OPENAI_BASE_URL", secret, "base-url", false, null),
                        tuple("OPENAI_API_BASE", secret, "base-url", false, null),
                        tuple("NEWAPI_BASE_URL", secret, "base-url", false, null),
                        tuple("LLM_GATEWAY_TOKEN", secret, "api-key", false, null),
                        tuple("OPENAI_API_KEY", secret, "api-key", false, null),
                        tuple("NEWAPI_KEY", secret, "api-key", false, null),
                        tuple("ANTHROPIC_BASE_URL", secret, "anthropic-base-url", false, null),
                        tuple("ANTHROPIC_API_KEY", secret, "api-key", false, null),
                        tuple("LLM_DEFAULT_MODEL", secret, "default-model", true, null),
                        tuple("PORT", null, null, null, "7070"),
                        tuple("HOST", null, null, null, "0.0.0.0"),
                        tuple("LLM_GATEWAY_TOKEN_FILE", null, null, null, "/var/run/gatehouse/token/api-key"));
        String json = client.getKubernetesSerialization().asJson(pod);
        assertThat(json).doesNotContain(spec.token(), Sandboxes.gatewayUrl(spec), spec.user(), spec.model().orElseThrow());
        assertThat(pod.getMetadata().getAnnotations()).isNullOrEmpty();
    }

    @Test
    void create_environmentDelivery_givesNoTokenFile() {
        SandboxSpec spec = Sandboxes.spec(Sandboxes.profile(TokenDelivery.ENVIRONMENT));

        backend.create(spec);

        assertThat(runtime(pod(spec.id())).getEnv()).extracting(EnvVar::getName)
                .contains("LLM_GATEWAY_TOKEN", "OPENAI_API_KEY")
                .doesNotContain("LLM_GATEWAY_TOKEN_FILE");
    }

    @Test
    void create_podRunsLockedDown() {
        SandboxSpec spec = Sandboxes.spec(Sandboxes.isolatedProfile(PROFILE_IMAGE));

        backend.create(spec);

        PodSpec pod = pod(spec.id()).getSpec();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getEnableServiceLinks()).isFalse();
        assertThat(pod.getRestartPolicy()).isEqualTo("Always");
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(5L);
        assertThat(pod.getRuntimeClassName()).isEqualTo("gvisor");
        assertThat(pod.getSecurityContext()).isEqualTo(new PodSecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withRunAsUser(Sandboxes.RUN_AS_USER)
                .withRunAsGroup(Sandboxes.RUN_AS_USER)
                .withFsGroup(Sandboxes.RUN_AS_USER)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .build());
        assertThat(pod.getContainers()).singleElement().satisfies(runtime -> {
            assertThat(runtime.getName()).isEqualTo("runtime");
            assertThat(runtime.getSecurityContext()).isEqualTo(new SecurityContextBuilder()
                    .withAllowPrivilegeEscalation(false)
                    .withReadOnlyRootFilesystem(true)
                    .withRunAsNonRoot(true)
                    .withPrivileged(false)
                    .withNewCapabilities().withDrop("ALL").endCapabilities()
                    .build());
        });
    }

    @Test
    void create_profileWithoutRuntimeClass_podHasNone_andTheConfiguredImage() {
        SandboxSpec spec = Sandboxes.spec(Sandboxes.profile(TokenDelivery.FILE));

        backend.create(spec);

        Pod pod = pod(spec.id());
        assertThat(pod.getSpec().getRuntimeClassName()).isNull();
        assertThat(runtime(pod).getImage()).isEqualTo(Sandboxes.CONFIG_IMAGE);
        assertThat(pod.getSpec().getVolumes()).extracting("name").containsExactly("token", "tmp");
        assertThat(Sandboxes.objectsIn(client)).noneMatch(object -> object.startsWith("PersistentVolumeClaim/"));
    }

    @Test
    void create_runtimeGetsTheProfilesImagePortResourcesProbesAndVolumes() {
        SandboxSpec spec = Sandboxes.spec(Sandboxes.isolatedProfile(PROFILE_IMAGE));

        backend.create(spec);

        Pod pod = pod(spec.id());
        Container runtime = runtime(pod);
        assertThat(runtime.getImage()).isEqualTo(PROFILE_IMAGE);
        assertThat(runtime.getPorts()).containsExactly(
                new ContainerPortBuilder().withName("http").withContainerPort(8080).withProtocol("TCP").build());
        assertThat(runtime.getResources()).isEqualTo(new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("100m")).addToRequests("memory", new Quantity("128Mi"))
                .addToLimits("cpu", new Quantity("1")).addToLimits("memory", new Quantity("512Mi"))
                .build());
        assertThat(runtime.getReadinessProbe()).isEqualTo(new ProbeBuilder()
                .withNewHttpGet().withPath("/healthz").withPort(new IntOrString("http")).endHttpGet()
                .withPeriodSeconds(2).withFailureThreshold(3).build());
        assertThat(runtime.getLivenessProbe()).isEqualTo(new ProbeBuilder()
                .withNewHttpGet().withPath("/healthz").withPort(new IntOrString("http")).endHttpGet()
                .withPeriodSeconds(10).withFailureThreshold(6).build());
        assertThat(pod.getSpec().getVolumes()).containsExactly(
                new VolumeBuilder().withName("token").withNewSecret().withSecretName("newapi-key-" + spec.id())
                        .addNewItem().withKey("api-key").withPath("api-key").endItem().withDefaultMode(0440).endSecret()
                        .build(),
                new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build(),
                new VolumeBuilder().withName("workspace").withNewPersistentVolumeClaim()
                        .withClaimName("sandbox-" + spec.id() + "-workspace").endPersistentVolumeClaim().build());
        assertThat(runtime.getVolumeMounts()).containsExactly(
                new VolumeMountBuilder().withName("token").withMountPath("/var/run/gatehouse/token").withReadOnly(true)
                        .build(),
                new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build(),
                new VolumeMountBuilder().withName("workspace").withMountPath("/home/agent/work").build());
        PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(NAMESPACE)
                .withName("sandbox-" + spec.id() + "-workspace").get();
        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast-ssd");
        assertThat(claim.getSpec().getResources().getRequests()).containsExactly(entry("storage", new Quantity("5Gi")));
    }

    @Test
    void create_serviceSendsPort80ToTheRuntimesHttpPort() {
        SandboxSpec spec = Sandboxes.spec(Sandboxes.profile(TokenDelivery.FILE));

        backend.create(spec);

        Service service = client.services().inNamespace(NAMESPACE).withName("sandbox-" + spec.id()).get();
        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service.getSpec().getSelector()).containsExactly(entry("gatehouse.dev/sandbox", spec.id()));
        assertThat(service.getSpec().getPorts()).containsExactly(new ServicePortBuilder().withName("http")
                .withProtocol("TCP").withPort(80).withTargetPort(new IntOrString("http")).build());
    }

    @Test
    void create_networkPolicy_letsInOnlyGatehouse_letsOutOnlyTheSelectedGatewayAndDns() {
        SandboxSpec spec = Sandboxes.spec(Sandboxes.profile(TokenDelivery.FILE));

        backend.create(spec);

        NetworkPolicySpec policy = networkPolicy(spec.id());
        assertThat(policy.getPodSelector()).isEqualTo(selector(Map.of("gatehouse.dev/sandbox", spec.id())));
        assertThat(policy.getPolicyTypes()).containsExactly("Ingress", "Egress");
        assertThat(policy.getIngress()).containsExactly(new NetworkPolicyIngressRuleBuilder()
                .addNewFrom()
                    .withPodSelector(selector(Sandboxes.GATEHOUSE_POD_LABELS))
                    .withNamespaceSelector(namespace("gatehouse"))
                .endFrom()
                .addNewPort().withProtocol("TCP").withPort(new IntOrString(7070)).endPort()
                .build());
        assertThat(policy.getEgress()).containsExactly(
                new NetworkPolicyEgressRuleBuilder()
                        .addNewTo()
                            .withNamespaceSelector(namespace("llm-gateway"))
                            .withPodSelector(selector(Sandboxes.GATEWAY_POD_LABELS))
                        .endTo()
                        .addNewPort().withProtocol("TCP").withPort(new IntOrString(Sandboxes.GATEWAY_PORT)).endPort()
                        .build(),
                dnsRule());
    }

    @Test
    void create_networkPolicy_withGatewayCidr_letsOutOnlyThatRangeAndDns() {
        SandboxSpec spec = Sandboxes.spec(Sandboxes.profile(TokenDelivery.FILE));

        try (KubernetesBackend cidrBackend = KubernetesBackend.create(client, Sandboxes.cidrConfig())) {
            cidrBackend.create(spec);
        }

        NetworkPolicySpec policy = networkPolicy(spec.id());
        assertThat(policy.getIngress()).singleElement().satisfies(rule ->
                assertThat(rule.getFrom()).singleElement().satisfies(peer -> {
                    assertThat(peer.getPodSelector()).isEqualTo(selector(Sandboxes.GATEHOUSE_POD_LABELS));
                    assertThat(peer.getNamespaceSelector()).isNull();
                }));
        assertThat(policy.getEgress()).containsExactly(
                new NetworkPolicyEgressRuleBuilder()
                        .addNewTo().withNewIpBlock().withCidr("10.42.0.0/16").endIpBlock().endTo()
                        .addNewPort().withProtocol("TCP").withPort(new IntOrString(Sandboxes.GATEWAY_PORT)).endPort()
                        .build(),
                dnsRule());
    }

    @Test
    void create_byos_runtimeGetsTheProvidersVariableFromTheSecret_andNoGateway() {
        SandboxSpec spec = byosSpec(List.of("160.79.104.0/23", "2607:6bc0::/48"));

        backend.create(spec);

        assertThat(decoded(secret(spec.id()))).isEqualTo(Map.of("api-key", spec.token(),
                "default-model", spec.model().orElseThrow()));
        String secret = "newapi-key-" + spec.id();
        assertThat(runtime(pod(spec.id())).getEnv())
                .extracting(EnvVar::getName, env -> secretRef(env, SecretKeySelector::getName),
                        env -> secretRef(env, SecretKeySelector::getKey), EnvVar::getValue)
                .containsExactly(
                        tuple("LLM_SUBSCRIPTION_VARIABLE", null, null, "ANTHROPIC_API_KEY"),
                        tuple("ANTHROPIC_API_KEY", secret, "api-key", null),
                        tuple("LLM_DEFAULT_MODEL", secret, "default-model", null),
                        tuple("PORT", null, null, "7070"),
                        tuple("HOST", null, null, "0.0.0.0"),
                        tuple("ANTHROPIC_API_KEY_FILE", null, null, "/var/run/gatehouse/token/api-key"));
        assertThat(client.getKubernetesSerialization().asJson(pod(spec.id()))).doesNotContain(spec.token());
    }

    @Test
    void create_byos_networkPolicy_letsOutOnlyTheProvidersRangesAndDns() {
        SandboxSpec spec = byosSpec(List.of("160.79.104.0/23", "2607:6bc0::/48"));

        backend.create(spec);

        assertThat(networkPolicy(spec.id()).getEgress()).containsExactly(
                new NetworkPolicyEgressRuleBuilder()
                        .addNewTo().withNewIpBlock().withCidr("160.79.104.0/23").endIpBlock().endTo()
                        .addNewTo().withNewIpBlock().withCidr("2607:6bc0::/48").endIpBlock().endTo()
                        .addNewPort().withProtocol("TCP").withPort(new IntOrString(443)).endPort()
                        .build(),
                dnsRule());
    }

    @Test
    void create_byosWithoutApiRanges_throwsNamingTheKey_createsNothing() {
        SandboxSpec spec = byosSpec(List.of());

        assertThatThrownBy(() -> backend.create(spec))
                .isInstanceOf(SandboxBackendException.class)
                .hasMessageContaining("has no apiCidrs configured (byos.providers)");
        assertThat(Sandboxes.objectsIn(client)).isEmpty();
    }

    private static SandboxSpec byosSpec(List<String> apiCidrs) {
        SandboxSpec gateway = Sandboxes.spec(Sandboxes.profile(TokenDelivery.FILE));
        return new SandboxSpec(gateway.id(), gateway.organization(), gateway.user(), gateway.profile(),
                new LlmAccess.Subscription("claude-code", "ANTHROPIC_API_KEY", "sk-ant-oat01-" + gateway.id(), apiCidrs,
                        443), gateway.model());
    }

    @Test
    void create_labelsEveryObject_userAndOrganizationInLabelSafeForm() throws Exception {
        SandboxSpec spec = Sandboxes.spec(Sandboxes.isolatedProfile(PROFILE_IMAGE), "alice@acme.test");

        backend.create(spec);

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("app.kubernetes.io/name", "gatehouse-sandbox");
        expected.put("app.kubernetes.io/managed-by", "gatehouse");
        expected.put("gatehouse.dev/sandbox", spec.id());
        expected.put("gatehouse.dev/organization", spec.organization());
        expected.put("gatehouse.dev/user", "alice-acme.test-" + sha256Hex("alice@acme.test").substring(0, 8));
        List<HasMetadata> objects = new ArrayList<>(children(spec.id()));
        objects.add(client.configMaps().inNamespace(NAMESPACE).withName("sandbox-" + spec.id()).get());
        assertThat(objects).hasSize(6).allSatisfy(object -> {
            assertThat(object.getMetadata().getAnnotations()).isNullOrEmpty();
            Map<String, String> labels = new LinkedHashMap<>(expected);
            if (object instanceof Pod) {
                labels.put("gatehouse.dev/generation", "1");
            }
            assertThat(object.getMetadata().getLabels()).isEqualTo(labels);
        });
    }

    @Test
    void create_userOf100Characters_getsAValidLabelOf63() {
        String user = "agent." + Sandboxes.hex(47);
        SandboxSpec spec = Sandboxes.spec(Sandboxes.profile(TokenDelivery.FILE), user);

        backend.create(spec);

        String label = pod(spec.id()).getMetadata().getLabels().get("gatehouse.dev/user");
        assertThat(user).hasSize(100);
        assertThat(label).hasSize(63).matches("[a-z0-9][-a-z0-9.]*[a-z0-9]").startsWith(user.substring(0, 54) + "-");
    }

    @Test
    void create_withoutAnyImage_throwsNamingBothKeys_createsNothing() throws InterruptedException {
        SandboxSpec spec = Sandboxes.spec(Sandboxes.profile(TokenDelivery.FILE));

        try (KubernetesBackend imageless = KubernetesBackend.create(client, Sandboxes.selectorConfig(Optional.empty()))) {
            assertThatThrownBy(() -> imageless.create(spec))
                    .isInstanceOf(SandboxBackendException.class)
                    .hasMessage("Profile \"coding\" names no runtime image and sandbox.kubernetes.image is not set:"
                            + " set the profile's image or sandbox.kubernetes.image.");
        }
        assertThat(posts()).isEmpty();
        assertThat(Sandboxes.objectsIn(client)).isEmpty();
    }

    @Test
    void create_podRefused_throwsTheStatusReason_removesWhatItCreated() {
        SandboxSpec spec = Sandboxes.spec(Sandboxes.isolatedProfile(PROFILE_IMAGE));
        server.expect().post().withPath("/api/v1/namespaces/" + NAMESPACE + "/pods")
                .andReturn(403, new StatusBuilder().withStatus("Failure").withCode(403).withReason("Forbidden")
                        .withMessage("pods \"sandbox-" + spec.id() + "-1\" is forbidden: violates PodSecurity").build())
                .once();

        assertThatThrownBy(() -> backend.create(spec))
                .isInstanceOf(SandboxBackendException.class)
                .hasMessage("Kubernetes refused to create the sandbox's pod: Forbidden.")
                .message().doesNotContain(spec.token());
        assertThat(Sandboxes.objectsIn(client)).isEmpty();
        assertThat(backend.list()).isEmpty();
    }

    @Test
    void create_ownerAlreadyExists_throws_leavesTheExistingObjectAlone() {
        SandboxSpec spec = Sandboxes.spec(Sandboxes.profile(TokenDelivery.FILE));
        client.configMaps().inNamespace(NAMESPACE).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("sandbox-" + spec.id()).endMetadata()
                .addToData("owner", "someone else").build()).create();

        assertThatThrownBy(() -> backend.create(spec))
                .isInstanceOf(SandboxBackendException.class)
                .hasMessageStartingWith("Kubernetes refused to create the sandbox's config map: ");
        assertThat(Sandboxes.objectsIn(client)).containsExactly("ConfigMap/sandbox-" + spec.id());
        assertThat(client.configMaps().inNamespace(NAMESPACE).withName("sandbox-" + spec.id()).get().getData())
                .containsExactly(entry("owner", "someone else"));
    }

    private List<String> posts() throws InterruptedException {
        List<String> posts = new ArrayList<>();
        for (RecordedRequest request = server.takeRequest(0, TimeUnit.SECONDS); request != null;
                request = server.takeRequest(0, TimeUnit.SECONDS)) {
            if (request.getMethod().equals("POST")) {
                posts.add(request.getPath());
            }
        }
        return posts;
    }

    private List<HasMetadata> children(String id) {
        List<HasMetadata> children = new ArrayList<>();
        children.addAll(client.secrets().inNamespace(NAMESPACE).withLabel("gatehouse.dev/sandbox", id).list().getItems());
        children.addAll(client.persistentVolumeClaims().inNamespace(NAMESPACE).withLabel("gatehouse.dev/sandbox", id)
                .list().getItems());
        children.addAll(client.services().inNamespace(NAMESPACE).withLabel("gatehouse.dev/sandbox", id).list().getItems());
        children.addAll(client.network().v1().networkPolicies().inNamespace(NAMESPACE)
                .withLabel("gatehouse.dev/sandbox", id).list().getItems());
        children.addAll(client.pods().inNamespace(NAMESPACE).withLabel("gatehouse.dev/sandbox", id).list().getItems());
        return children;
    }

    private Secret secret(String id) {
        return client.secrets().inNamespace(NAMESPACE).withName("newapi-key-" + id).get();
    }

    private Pod pod(String id) {
        return client.pods().inNamespace(NAMESPACE).withName("sandbox-" + id + "-1").get();
    }

    private NetworkPolicySpec networkPolicy(String id) {
        return client.network().v1().networkPolicies().inNamespace(NAMESPACE).withName("sandbox-" + id).get().getSpec();
    }

    private static Container runtime(Pod pod) {
        assertThat(pod.getSpec().getContainers()).hasSize(1);
        return pod.getSpec().getContainers().get(0);
    }

    private static Map<String, String> decoded(Secret secret) {
        Map<String, String> decoded = new LinkedHashMap<>();
        secret.getData().forEach((key, value) -> decoded.put(key, new String(Base64.getDecoder().decode(value), UTF_8)));
        return decoded;
    }

    private static Object secretRef(EnvVar env, Function<SecretKeySelector, Object> field) {
        return env.getValueFrom() == null ? null : field.apply(env.getValueFrom().getSecretKeyRef());
    }

    private static LabelSelector selector(Map<String, String> labels) {
        return new LabelSelectorBuilder().withMatchLabels(labels).build();
    }

    private static LabelSelector namespace(String name) {
        return selector(Map.of("kubernetes.io/metadata.name", name));
    }

    private static NetworkPolicyEgressRule dnsRule() {
        return new NetworkPolicyEgressRuleBuilder()
                .addNewTo()
                    .withNamespaceSelector(namespace("kube-system"))
                    .withPodSelector(selector(Sandboxes.DNS_POD_LABELS))
                .endTo()
                .addNewPort().withProtocol("UDP").withPort(new IntOrString(53)).endPort()
                .addNewPort().withProtocol("TCP").withPort(new IntOrString(53)).endPort()
                .build();
    }

    private static String sha256Hex(String value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(UTF_8)));
    }
}
