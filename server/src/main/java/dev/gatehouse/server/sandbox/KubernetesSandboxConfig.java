package dev.gatehouse.server.sandbox;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The kubernetes sandbox backend: one namespace for every sandbox, the default runtime image, and who a
 * sandbox may talk to (its NetworkPolicy). Immutable. Validated when {@code sandbox.backend} is
 * {@code kubernetes} ({@link #checkUsable()}); unused otherwise.
 *
 * @param namespace where sandboxes are created; required
 * @param image the runtime image of profiles that name none
 * @param gatewayNamespace egress: the namespace of the gateway's pods (matched by its
 *     {@code kubernetes.io/metadata.name} label)
 * @param gatewayPodLabels egress: labels selecting the gateway's pods
 * @param gatewayCidr egress: the gateway's address range, when it is not selected by labels (outside
 *     the cluster, or behind a load balancer)
 * @param gatewayPort egress: the gateway's port as its pods (or the CIDR) listen on it
 * @param gatehouseNamespace ingress: the namespace of Gatehouse's pods (the proxy); empty: the
 *     sandboxes' namespace
 * @param gatehousePodLabels ingress: labels selecting Gatehouse's pods
 * @param dnsNamespace egress: the namespace of the cluster DNS pods
 * @param dnsPodLabels egress: labels selecting the cluster DNS pods
 * @param runAsUser the non-root user id the runtime runs as
 */
public record KubernetesSandboxConfig(
        Optional<String> namespace,
        Optional<String> image,
        Optional<String> gatewayNamespace,
        Map<String, String> gatewayPodLabels,
        Optional<String> gatewayCidr,
        int gatewayPort,
        Optional<String> gatehouseNamespace,
        Map<String, String> gatehousePodLabels,
        String dnsNamespace,
        Map<String, String> dnsPodLabels,
        long runAsUser) {

    public static final int DEFAULT_GATEWAY_PORT = 8080;
    public static final Map<String, String> DEFAULT_GATEHOUSE_POD_LABELS = Map.of("app.kubernetes.io/name", "gatehouse");
    public static final String DEFAULT_DNS_NAMESPACE = "kube-system";
    public static final Map<String, String> DEFAULT_DNS_POD_LABELS = Map.of("k8s-app", "kube-dns");
    public static final long DEFAULT_RUN_AS_USER = 65532;

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?");
    private static final Pattern LABEL_NAME =
            Pattern.compile("([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern CIDR = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1?\\d?\\d)/(3[0-2]|[12]?\\d)|[0-9A-Fa-f:]+/\\d{1,3}");

    public KubernetesSandboxConfig {
        requireNonNull(namespace, "namespace");
        requireNonNull(image, "image");
        requireNonNull(gatewayNamespace, "gatewayNamespace");
        gatewayPodLabels = labels("sandbox.kubernetes.gatewayPodLabels", gatewayPodLabels);
        requireNonNull(gatewayCidr, "gatewayCidr");
        requireNonNull(gatehouseNamespace, "gatehouseNamespace");
        gatehousePodLabels = labels("sandbox.kubernetes.gatehousePodLabels", gatehousePodLabels);
        requireNonNull(dnsNamespace, "dnsNamespace");
        dnsPodLabels = labels("sandbox.kubernetes.dnsPodLabels", dnsPodLabels);
        namespace.ifPresent(value -> namespaceName("sandbox.kubernetes.namespace", value));
        gatewayNamespace.ifPresent(value -> namespaceName("sandbox.kubernetes.gatewayNamespace", value));
        gatehouseNamespace.ifPresent(value -> namespaceName("sandbox.kubernetes.gatehouseNamespace", value));
        namespaceName("sandbox.kubernetes.dnsNamespace", dnsNamespace);
        image.ifPresent(value -> {
            if (value.isBlank() || value.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("sandbox.kubernetes.image: \"" + value + "\" (expected: an image reference)");
            }
        });
        gatewayCidr.ifPresent(value -> {
            if (!CIDR.matcher(value).matches()) {
                throw new IllegalArgumentException("sandbox.kubernetes.gatewayCidr: \"" + value
                        + "\" (expected: an address range such as 10.0.0.0/16)");
            }
        });
        if (gatewayPort < 1 || gatewayPort > 65535) {
            throw new IllegalArgumentException("sandbox.kubernetes.gatewayPort: " + gatewayPort + " (expected: 1..65535)");
        }
        if (gatehousePodLabels.isEmpty()) {
            throw new IllegalArgumentException("sandbox.kubernetes.gatehousePodLabels: {} (expected: at least one label"
                    + " selecting Gatehouse's pods; an empty selector would let every pod in)");
        }
        if (runAsUser < 1) {
            throw new IllegalArgumentException("sandbox.kubernetes.runAsUser: " + runAsUser + " (expected: > 0, not root)");
        }
    }

    /** The defaults: nothing chosen for the cluster yet. */
    public static KubernetesSandboxConfig defaults() {
        return new KubernetesSandboxConfig(Optional.empty(), Optional.empty(), Optional.empty(), Map.of(),
                Optional.empty(), DEFAULT_GATEWAY_PORT, Optional.empty(), DEFAULT_GATEHOUSE_POD_LABELS,
                DEFAULT_DNS_NAMESPACE, DEFAULT_DNS_POD_LABELS, DEFAULT_RUN_AS_USER);
    }

    /**
     * What the kubernetes backend needs on top of the per-key rules: a namespace, and the gateway
     * selected either by namespace/labels or by an address range (not both, not neither).
     *
     * @return the problems, each naming its key; empty when usable
     */
    public List<String> checkUsable() {
        List<String> problems = new ArrayList<>();
        if (namespace.isEmpty()) {
            problems.add("sandbox.kubernetes.namespace: not set (expected: the namespace sandboxes are created in,"
                    + " e.g. gatehouse-sandboxes)");
        }
        boolean selected = gatewayNamespace.isPresent() || !gatewayPodLabels.isEmpty();
        if (selected == gatewayCidr.isPresent()) {
            problems.add("sandbox.kubernetes.gatewayCidr: " + gatewayCidr.map(c -> "\"" + c + "\"").orElse("not set")
                    + " (expected: either gatewayNamespace/gatewayPodLabels or gatewayCidr, the only place a"
                    + " sandbox may connect to besides DNS)");
        }
        return problems;
    }

    private static void namespaceName(String key, String value) {
        if (!DNS_LABEL.matcher(value).matches()) {
            throw new IllegalArgumentException(key + ": \"" + value
                    + "\" (expected: a namespace name: 1..63 lower-case letters, digits or '-')");
        }
    }

    private static Map<String, String> labels(String key, Map<String, String> labels) {
        requireNonNull(labels, key);
        Map<String, String> copy = new LinkedHashMap<>();
        labels.forEach((name, value) -> {
            if (name == null || !LABEL_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(key + ": label \"" + name + "\" (expected: a label name)");
            }
            if (value == null || !LABEL_VALUE.matcher(value).matches()) {
                throw new IllegalArgumentException(key + "." + name + ": \"" + value
                        + "\" (expected: a label value: up to 63 letters, digits, '-', '_' or '.')");
            }
            copy.put(name, value);
        });
        return Collections.unmodifiableMap(copy);
    }
}
