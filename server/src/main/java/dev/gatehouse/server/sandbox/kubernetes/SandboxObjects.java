package dev.gatehouse.server.sandbox.kubernetes;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.sandbox.KubernetesSandboxConfig;
import dev.gatehouse.server.sandbox.LlmAccess;
import dev.gatehouse.server.sandbox.SandboxBackendException;
import dev.gatehouse.server.sandbox.SandboxEndpoint;
import dev.gatehouse.server.sandbox.SandboxProfile;
import dev.gatehouse.server.sandbox.SandboxSpec;
import dev.gatehouse.server.sandbox.TokenDelivery;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes objects one sandbox consists of, built from its {@link SandboxSpec} and the backend's
 * configuration: pure functions, no API calls. Every object is named after the sandbox id, lives in
 * the configured namespace and carries the sandbox's labels; none carries the owner's identity beyond
 * the label-safe organization and user labels, and the token and gateway URL appear only in the
 * Secret. Immutable and thread-safe; every call returns new objects.
 */
final class SandboxObjects {
    static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    static final String MANAGED_BY = "gatehouse";
    static final String SANDBOX_LABEL = "gatehouse.dev/sandbox";

    private static final String GENERATION_LABEL = "gatehouse.dev/generation";
    private static final String BASE_URL_KEY = "base-url";
    private static final String API_KEY_KEY = "api-key";
    private static final String ANTHROPIC_BASE_URL_KEY = "anthropic-base-url";
    private static final String DEFAULT_MODEL_KEY = "default-model";
    private static final String TOKEN_DIRECTORY = "/var/run/gatehouse/token";
    private static final int SERVICE_PORT = 80;
    private static final String NAME_LABEL = "app.kubernetes.io/name";
    private static final String NAME = "gatehouse-sandbox";
    private static final String ORGANIZATION_LABEL = "gatehouse.dev/organization";
    private static final String USER_LABEL = "gatehouse.dev/user";
    private static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
    private static final String CONTAINER = "runtime";
    private static final String PORT_NAME = "http";
    private static final String HEALTH_PATH = "/healthz";
    private static final String TOKEN_VOLUME = "token";
    private static final String TMP_VOLUME = "tmp";
    private static final String WORKSPACE_VOLUME = "workspace";
    private static final int TOKEN_FILE_MODE = 0440;
    private static final long TERMINATION_GRACE_SECONDS = 5;
    private static final int DNS_PORT = 53;

    private final KubernetesSandboxConfig config;
    private final String namespace;

    /** @throws IllegalArgumentException naming every key {@link KubernetesSandboxConfig#checkUsable()} finds unusable */
    SandboxObjects(KubernetesSandboxConfig config) {
        requireNonNull(config, "config");
        List<String> problems = config.checkUsable();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        this.config = config;
        this.namespace = config.namespace().orElseThrow();
    }

    String namespace() {
        return namespace;
    }

    /** The name of the sandbox's owner ConfigMap, its Service and its NetworkPolicy. */
    static String name(String id) {
        return "sandbox-" + id;
    }

    private static String secretName(String id) {
        return "newapi-key-" + id;
    }

    private static String podName(String id, int generation) {
        return name(id) + "-" + generation;
    }

    private static String volumeClaimName(String id) {
        return name(id) + "-workspace";
    }

    /** Where Gatehouse reaches sandbox {@code id}: its Service, {@code sandbox-<id>.<namespace>.svc:80}. */
    SandboxEndpoint endpoint(String id) {
        return new SandboxEndpoint(name(id) + "." + namespace + ".svc", SERVICE_PORT);
    }

    /** The generation a pod of a sandbox was created for (its {@code gatehouse.dev/generation} label). */
    static int generation(Pod pod) {
        return Integer.parseInt(pod.getMetadata().getLabels().get(GENERATION_LABEL));
    }

    /** The object every other object of the sandbox is owned by: deleting it deletes them all. */
    ConfigMap owner(SandboxSpec spec) {
        return new ConfigMapBuilder()
                .withMetadata(metadata(name(spec.id()), spec))
                .withData(Map.of("profile", spec.profile().name()))
                .build();
    }

    /** A reference to {@code owner} as created (with its uid), controlling its children. */
    static OwnerReference ownerReference(ConfigMap owner) {
        return new OwnerReferenceBuilder()
                .withApiVersion("v1")
                .withKind("ConfigMap")
                .withName(owner.getMetadata().getName())
                .withUid(requireNonNull(owner.getMetadata().getUid(), "owner.metadata.uid"))
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    /** Sets {@code owner} as the only owner of {@code child}, a freshly built object, and returns it. */
    static <T extends HasMetadata> T ownedBy(T child, OwnerReference owner) {
        child.getMetadata().setOwnerReferences(List.of(owner));
        return child;
    }

    /**
     * Everything of the sandbox but its owner, in the order it is created: the Secret, the volume claim
     * (when the profile has one), the Service, the NetworkPolicy (before the pod, so the runtime never
     * runs unrestricted) and the pod of generation 1.
     *
     * @throws SandboxBackendException when neither the profile nor the configuration names an image
     */
    List<HasMetadata> children(SandboxSpec spec) {
        List<HasMetadata> children = new ArrayList<>();
        children.add(secret(spec));
        spec.profile().volume().ifPresent(volume -> children.add(volumeClaim(spec, volume)));
        children.add(service(spec));
        children.add(networkPolicy(spec));
        children.add(pod(spec, 1));
        return children;
    }

    /**
     * The Secret holding the gateway URL and the token (or, in BYOS mode, the owner's credential) and
     * the default model: the runtime's only credential.
     */
    Secret secret(SandboxSpec spec) {
        Map<String, String> data = new LinkedHashMap<>();
        if (spec.access() instanceof LlmAccess.Gateway gateway) {
            data.put(BASE_URL_KEY, base64(gateway.url().toString()));
            data.put(ANTHROPIC_BASE_URL_KEY, base64(gateway.anthropicUrl()));
        }
        data.put(API_KEY_KEY, base64(spec.token()));
        spec.model().ifPresent(model -> data.put(DEFAULT_MODEL_KEY, base64(model)));
        return new SecretBuilder()
                .withMetadata(metadata(secretName(spec.id()), spec))
                .withType("Opaque")
                .withData(data)
                .build();
    }

    /**
     * The pod running the sandbox's runtime: non-root, read-only root file system, no service account
     * token, every LLM value taken from the sandbox's Secret.
     *
     * @param generation 1 when created, one more for each restart by a token rotation
     * @throws SandboxBackendException when neither the profile nor the configuration names an image
     */
    Pod pod(SandboxSpec spec, int generation) {
        SandboxProfile profile = spec.profile();
        long runAs = config.runAsUser();
        return new PodBuilder()
                .withMetadata(new ObjectMetaBuilder(metadata(podName(spec.id(), generation), spec))
                        .addToLabels(GENERATION_LABEL, Integer.toString(generation))
                        .build())
                .withNewSpec()
                    .withAutomountServiceAccountToken(false)
                    .withEnableServiceLinks(false)
                    .withRestartPolicy("Always")
                    .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
                    .withRuntimeClassName(profile.runtimeClass().orElse(null))
                    .withNewSecurityContext()
                        .withRunAsNonRoot(true)
                        .withRunAsUser(runAs)
                        .withRunAsGroup(runAs)
                        .withFsGroup(runAs)
                        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                    .endSecurityContext()
                    .withContainers(container(spec))
                    .withVolumes(volumes(spec))
                .endSpec()
                .build();
    }

    private Container container(SandboxSpec spec) {
        SandboxProfile profile = spec.profile();
        SandboxProfile.Resources resources = profile.resources();
        return new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(image(profile))
                .addNewPort().withName(PORT_NAME).withContainerPort(profile.port()).withProtocol("TCP").endPort()
                .withEnv(environment(spec))
                .withNewResources()
                    .addToRequests("cpu", new Quantity(resources.cpuRequest()))
                    .addToRequests("memory", new Quantity(resources.memoryRequest()))
                    .addToLimits("cpu", new Quantity(resources.cpuLimit()))
                    .addToLimits("memory", new Quantity(resources.memoryLimit()))
                .endResources()
                .withReadinessProbe(healthProbe(2, 3))
                .withLivenessProbe(healthProbe(10, 6))
                .withNewSecurityContext()
                    .withAllowPrivilegeEscalation(false)
                    .withReadOnlyRootFilesystem(true)
                    .withRunAsNonRoot(true)
                    .withPrivileged(false)
                    .withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext()
                .withVolumeMounts(volumeMounts(spec))
                .build();
    }

    private String image(SandboxProfile profile) {
        return profile.image().or(config::image).orElseThrow(() -> new SandboxBackendException(
                "Profile \"" + profile.name() + "\" names no runtime image and sandbox.kubernetes.image is not set:"
                        + " set the profile's image or sandbox.kubernetes.image."));
    }

    private static List<EnvVar> environment(SandboxSpec spec) {
        String secret = secretName(spec.id());
        List<EnvVar> environment = new ArrayList<>();
        String fileVariable = switch (spec.access()) {
            case LlmAccess.Gateway gateway -> {
                LlmAccess.Gateway.URL_VARIABLES.forEach(name -> environment.add(fromSecret(name, secret, BASE_URL_KEY, false)));
                LlmAccess.Gateway.TOKEN_VARIABLES.forEach(name -> environment.add(fromSecret(name, secret, API_KEY_KEY, false)));
                environment.add(fromSecret(LlmAccess.Gateway.ANTHROPIC_URL_VARIABLE, secret, ANTHROPIC_BASE_URL_KEY, false));
                environment.add(fromSecret(LlmAccess.Gateway.ANTHROPIC_TOKEN_VARIABLE, secret, API_KEY_KEY, false));
                yield LlmAccess.Gateway.TOKEN_FILE_VARIABLE;
            }
            case LlmAccess.Subscription subscription -> {
                environment.add(plain(LlmAccess.Subscription.VARIABLE_VARIABLE, subscription.variable()));
                environment.add(fromSecret(subscription.variable(), secret, API_KEY_KEY, false));
                yield subscription.variable() + "_FILE";
            }
        };
        environment.add(fromSecret("LLM_DEFAULT_MODEL", secret, DEFAULT_MODEL_KEY, true));
        environment.add(plain("PORT", Integer.toString(spec.profile().port())));
        environment.add(plain("HOST", "0.0.0.0"));
        if (spec.profile().tokenDelivery() == TokenDelivery.FILE) {
            environment.add(plain(fileVariable, TOKEN_DIRECTORY + "/" + API_KEY_KEY));
        }
        return environment;
    }

    private static EnvVar fromSecret(String name, String secret, String key, boolean optional) {
        return new EnvVarBuilder()
                .withName(name)
                .withNewValueFrom()
                    .withNewSecretKeyRef().withName(secret).withKey(key).withOptional(optional).endSecretKeyRef()
                .endValueFrom()
                .build();
    }

    private static EnvVar plain(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    private static Probe healthProbe(int periodSeconds, int failureThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet().withPath(HEALTH_PATH).withPort(new IntOrString(PORT_NAME)).endHttpGet()
                .withPeriodSeconds(periodSeconds)
                .withFailureThreshold(failureThreshold)
                .build();
    }

    private static List<Volume> volumes(SandboxSpec spec) {
        List<Volume> volumes = new ArrayList<>(List.of(
                new VolumeBuilder()
                        .withName(TOKEN_VOLUME)
                        .withNewSecret()
                            .withSecretName(secretName(spec.id()))
                            .addNewItem().withKey(API_KEY_KEY).withPath(API_KEY_KEY).endItem()
                            .withDefaultMode(TOKEN_FILE_MODE)
                        .endSecret()
                        .build(),
                new VolumeBuilder().withName(TMP_VOLUME).withNewEmptyDir().endEmptyDir().build()));
        if (spec.profile().volume().isPresent()) {
            volumes.add(new VolumeBuilder()
                    .withName(WORKSPACE_VOLUME)
                    .withNewPersistentVolumeClaim().withClaimName(volumeClaimName(spec.id())).endPersistentVolumeClaim()
                    .build());
        }
        return volumes;
    }

    private static List<VolumeMount> volumeMounts(SandboxSpec spec) {
        List<VolumeMount> mounts = new ArrayList<>(List.of(
                new VolumeMountBuilder().withName(TOKEN_VOLUME).withMountPath(TOKEN_DIRECTORY).withReadOnly(true).build(),
                new VolumeMountBuilder().withName(TMP_VOLUME).withMountPath("/tmp").build()));
        spec.profile().volume().ifPresent(volume -> mounts.add(
                new VolumeMountBuilder().withName(WORKSPACE_VOLUME).withMountPath(volume.mountPath()).build()));
        return mounts;
    }

    private PersistentVolumeClaim volumeClaim(SandboxSpec spec, SandboxProfile.PersistentVolume volume) {
        return new PersistentVolumeClaimBuilder()
                .withMetadata(metadata(volumeClaimName(spec.id()), spec))
                .withNewSpec()
                    .withAccessModes("ReadWriteOnce")
                    .withStorageClassName(volume.storageClass().orElse(null))
                    .withNewResources().addToRequests("storage", new Quantity(volume.size())).endResources()
                .endSpec()
                .build();
    }

    private Service service(SandboxSpec spec) {
        return new ServiceBuilder()
                .withMetadata(metadata(name(spec.id()), spec))
                .withNewSpec()
                    .withType("ClusterIP")
                    .withSelector(Map.of(SANDBOX_LABEL, spec.id()))
                    .addNewPort()
                        .withName(PORT_NAME)
                        .withProtocol("TCP")
                        .withPort(SERVICE_PORT)
                        .withTargetPort(new IntOrString(PORT_NAME))
                    .endPort()
                .endSpec()
                .build();
    }

    /**
     * Ingress only from Gatehouse's pods on the runtime's port; egress only to the gateway (in BYOS
     * mode: the provider's API ranges instead) and to the cluster DNS.
     */
    private NetworkPolicy networkPolicy(SandboxSpec spec) {
        NetworkPolicyEgressRule llm = switch (spec.access()) {
            case LlmAccess.Gateway gateway -> new NetworkPolicyEgressRuleBuilder()
                    .withTo(gatewayPeer()).withPorts(port("TCP", config.gatewayPort())).build();
            case LlmAccess.Subscription subscription -> new NetworkPolicyEgressRuleBuilder()
                    .withTo(providerPeers(subscription)).withPorts(port("TCP", subscription.apiPort())).build();
        };
        return new NetworkPolicyBuilder()
                .withMetadata(metadata(name(spec.id()), spec))
                .withNewSpec()
                    .withNewPodSelector().withMatchLabels(Map.of(SANDBOX_LABEL, spec.id())).endPodSelector()
                    .withPolicyTypes("Ingress", "Egress")
                    .addNewIngress().withFrom(gatehousePeer()).withPorts(port("TCP", spec.profile().port())).endIngress()
                    .addToEgress(llm)
                    .addNewEgress().withTo(dnsPeer()).withPorts(port("UDP", DNS_PORT), port("TCP", DNS_PORT)).endEgress()
                .endSpec()
                .build();
    }

    /**
     * The provider's API ranges.
     *
     * @throws SandboxBackendException when none are configured: the sandbox could reach nothing
     */
    private static List<NetworkPolicyPeer> providerPeers(LlmAccess.Subscription subscription) {
        if (subscription.apiCidrs().isEmpty()) {
            throw new SandboxBackendException("Provider \"" + subscription.provider() + "\" has no apiCidrs"
                    + " configured (byos.providers), so a BYOS sandbox could not reach its API: set the address"
                    + " ranges of the provider's API.");
        }
        return subscription.apiCidrs().stream()
                .map(cidr -> new NetworkPolicyPeerBuilder().withNewIpBlock().withCidr(cidr).endIpBlock().build())
                .toList();
    }

    private NetworkPolicyPeer gatehousePeer() {
        return new NetworkPolicyPeerBuilder()
                .withPodSelector(new LabelSelectorBuilder().withMatchLabels(config.gatehousePodLabels()).build())
                .withNamespaceSelector(config.gatehouseNamespace().map(SandboxObjects::namespaceSelector).orElse(null))
                .build();
    }

    private NetworkPolicyPeer gatewayPeer() {
        if (config.gatewayCidr().isPresent()) {
            return new NetworkPolicyPeerBuilder().withNewIpBlock().withCidr(config.gatewayCidr().get()).endIpBlock().build();
        }
        return new NetworkPolicyPeerBuilder()
                .withNamespaceSelector(config.gatewayNamespace().map(SandboxObjects::namespaceSelector).orElse(null))
                .withPodSelector(config.gatewayPodLabels().isEmpty()
                        ? null
                        : new LabelSelectorBuilder().withMatchLabels(config.gatewayPodLabels()).build())
                .build();
    }

    private NetworkPolicyPeer dnsPeer() {
        return new NetworkPolicyPeerBuilder()
                .withNamespaceSelector(namespaceSelector(config.dnsNamespace()))
                .withPodSelector(new LabelSelectorBuilder().withMatchLabels(config.dnsPodLabels()).build())
                .build();
    }

    private static LabelSelector namespaceSelector(String namespace) {
        return new LabelSelectorBuilder().withMatchLabels(Map.of(NAMESPACE_NAME_LABEL, namespace)).build();
    }

    private static NetworkPolicyPort port(String protocol, int port) {
        return new NetworkPolicyPortBuilder().withProtocol(protocol).withPort(new IntOrString(port)).build();
    }

    private ObjectMeta metadata(String name, SandboxSpec spec) {
        return new ObjectMetaBuilder().withName(name).withNamespace(namespace).withLabels(labels(spec)).build();
    }

    /** The labels of every object of the sandbox. */
    private static Map<String, String> labels(SandboxSpec spec) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME_LABEL, NAME);
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        labels.put(SANDBOX_LABEL, spec.id());
        labels.put(ORGANIZATION_LABEL, LabelValues.safe(spec.organization()));
        labels.put(USER_LABEL, LabelValues.safe(spec.user()));
        return labels;
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(UTF_8));
    }
}
