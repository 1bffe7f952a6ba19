package dev.gatehouse.server.sandbox.kubernetes;

import dev.gatehouse.server.sandbox.KubernetesSandboxConfig;
import dev.gatehouse.server.sandbox.LlmAccess;
import dev.gatehouse.server.sandbox.SandboxProfile;
import dev.gatehouse.server.sandbox.SandboxSpec;
import dev.gatehouse.server.sandbox.TokenDelivery;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/** Configurations, profiles and specs for the kubernetes backend's tests, with generated ids and tokens. */
final class Sandboxes {
    static final String NAMESPACE = "gatehouse-sandboxes";
    static final String CONFIG_IMAGE = "ghcr.io/gatehouse/runtime:1.4.2";
    static final int GATEWAY_PORT = 8443;
    static final long RUN_AS_USER = 10_001;
    static final Map<String, String> GATEWAY_POD_LABELS = Map.of("app.kubernetes.io/name", "llm-gateway");
    static final Map<String, String> GATEHOUSE_POD_LABELS = Map.of("app.kubernetes.io/name", "gatehouse");
    static final Map<String, String> DNS_POD_LABELS = Map.of("k8s-app", "kube-dns");

    private static final SecureRandom random = new SecureRandom();

    private Sandboxes() {}

    /** The gateway selected by namespace and pod labels; Gatehouse in its own namespace. */
    static KubernetesSandboxConfig selectorConfig(Optional<String> image) {
        return new KubernetesSandboxConfig(Optional.of(NAMESPACE), image, Optional.of("llm-gateway"),
                GATEWAY_POD_LABELS, Optional.empty(), GATEWAY_PORT, Optional.of("gatehouse"), GATEHOUSE_POD_LABELS,
                "kube-system", DNS_POD_LABELS, RUN_AS_USER);
    }

    /** The gateway as an address range; Gatehouse in the sandboxes' namespace. */
    static KubernetesSandboxConfig cidrConfig() {
        return new KubernetesSandboxConfig(Optional.of(NAMESPACE), Optional.of(CONFIG_IMAGE), Optional.empty(),
                Map.of(), Optional.of("10.42.0.0/16"), GATEWAY_PORT, Optional.empty(), GATEHOUSE_POD_LABELS,
                "kube-system", DNS_POD_LABELS, RUN_AS_USER);
    }

    static SandboxProfile profile(TokenDelivery delivery) {
        return new SandboxProfile("coding", List.of(), Optional.empty(), Optional.empty(), Optional.empty(),
                new SandboxProfile.Resources("250m", "2", "256Mi", "1Gi"), Optional.empty(), List.of(), 7070, delivery);
    }

    /** A profile with its own image, a RuntimeClass and a workspace volume. */
    static SandboxProfile isolatedProfile(String image) {
        return new SandboxProfile("isolated", List.of(), Optional.empty(), Optional.of(image), Optional.of("gvisor"),
                SandboxProfile.Resources.DEFAULTS,
                Optional.of(new SandboxProfile.PersistentVolume("5Gi", Optional.of("fast-ssd"), "/home/agent/work")),
                List.of(), 8080, TokenDelivery.FILE);
    }

    static SandboxSpec spec(SandboxProfile profile) {
        return spec(profile, "user-" + hex(4));
    }

    static SandboxSpec spec(SandboxProfile profile, String user) {
        return new SandboxSpec(UUID.randomUUID().toString(), "org-" + hex(4), user, profile,
                URI.create("https://gateway-" + hex(4) + ".test/v1"), token(), Optional.of("model-" + hex(3)));
    }

    /** The gateway URL a gateway-mode spec names. */
    static String gatewayUrl(SandboxSpec spec) {
        return ((LlmAccess.Gateway) spec.access()).url().toString();
    }

    /** {@code Kind/name} of every object of the kinds a sandbox has, in the namespace. */
    static List<String> objectsIn(KubernetesClient client) {
        return Stream.of(
                        client.configMaps().inNamespace(NAMESPACE).list().getItems(),
                        client.secrets().inNamespace(NAMESPACE).list().getItems(),
                        client.persistentVolumeClaims().inNamespace(NAMESPACE).list().getItems(),
                        client.services().inNamespace(NAMESPACE).list().getItems(),
                        client.network().v1().networkPolicies().inNamespace(NAMESPACE).list().getItems(),
                        client.pods().inNamespace(NAMESPACE).list().getItems())
                .flatMap(List::stream)
                .map(object -> object.getKind() + "/" + object.getMetadata().getName())
                .toList();
    }

    static String token() {
        return "gh_sbx_" + hex(24);
    }

    static String hex(int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }
}
