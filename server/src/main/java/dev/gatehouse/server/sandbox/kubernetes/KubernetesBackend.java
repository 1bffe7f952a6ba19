package dev.gatehouse.server.sandbox.kubernetes;

import static dev.gatehouse.server.sandbox.kubernetes.SandboxObjects.MANAGED_BY;
import static dev.gatehouse.server.sandbox.kubernetes.SandboxObjects.MANAGED_BY_LABEL;
import static dev.gatehouse.server.sandbox.kubernetes.SandboxObjects.SANDBOX_LABEL;
import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.sandbox.KubernetesSandboxConfig;
import dev.gatehouse.server.sandbox.SandboxBackend;
import dev.gatehouse.server.sandbox.SandboxBackendException;
import dev.gatehouse.server.sandbox.SandboxEndpoint;
import dev.gatehouse.server.sandbox.SandboxEvents;
import dev.gatehouse.server.sandbox.SandboxSpec;
import dev.gatehouse.server.sandbox.TokenDelivery;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code kubernetes} sandbox backend: each sandbox is a ConfigMap {@code sandbox-<id>} owning a
 * Secret with its gateway token, an optional workspace volume claim, a Service, a NetworkPolicy and a
 * pod, all in one namespace and labelled {@code gatehouse.dev/sandbox=<id>} (see {@link SandboxObjects}
 * for their exact shape). A sandbox is reached at {@code sandbox-<id>.<namespace>.svc:80}.
 *
 * <p>What happens to the pods is learnt from one informer on the namespace's Gatehouse pods (watches,
 * no polling): see {@link PodEventHandler}. A token rotation rewrites the Secret; a runtime that reads
 * its token from the environment is restarted by a pod of the next generation, created before the
 * older one is deleted.
 *
 * <p>Failures of the API become {@link SandboxBackendException}s naming what was refused and why
 * ({@code Kubernetes refused to create the sandbox's pod: Forbidden.}), the details going to the log.
 * Thread-safe; every method but {@link #kind()} blocks on the API.
 */
public final class KubernetesBackend implements SandboxBackend {
    public static final String KIND = "kubernetes";

    private static final Logger log = LoggerFactory.getLogger(KubernetesBackend.class);
    private static final Duration RESYNC = Duration.ofMinutes(10);
    private static final Duration POD_STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final SandboxEvents UNWATCHED = new SandboxEvents() {
        @Override
        public void running(String id, SandboxEndpoint endpoint) {}

        @Override
        public void failed(String id, String reason) {}
    };

    private final KubernetesClient client;
    private final boolean closesClient;
    private final SandboxObjects objects;
    private final String namespace;
    /** Until {@link #start}: a handler no informer feeds, so that {@link #delete} needs no special case. */
    private volatile PodEventHandler handler;
    private SharedIndexInformer<Pod> informer;

    private KubernetesBackend(KubernetesClient client, SandboxObjects objects, boolean closesClient) {
        this.client = client;
        this.objects = objects;
        this.closesClient = closesClient;
        this.namespace = objects.namespace();
        this.handler = new PodEventHandler(UNWATCHED, objects::endpoint, System::nanoTime);
    }

    /**
     * A backend using {@code client}, which stays the caller's: {@link #close()} leaves it open.
     *
     * @throws IllegalArgumentException when {@code config} is not usable ({@link KubernetesSandboxConfig#checkUsable()})
     */
    public static KubernetesBackend create(KubernetesClient client, KubernetesSandboxConfig config) {
        requireNonNull(client, "client");
        return new KubernetesBackend(client, new SandboxObjects(config), false);
    }

    /**
     * A backend with its own client, configured as fabric8 finds it (the pod's service account in a
     * cluster, else the kubeconfig), closed by {@link #close()}.
     *
     * @throws IllegalArgumentException when {@code config} is not usable ({@link KubernetesSandboxConfig#checkUsable()})
     */
    public static KubernetesBackend connect(KubernetesSandboxConfig config) {
        SandboxObjects objects = new SandboxObjects(config);
        return new KubernetesBackend(new KubernetesClientBuilder().build(), objects, true);
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** {@code kubernetes:<namespace>}: shared by every replica watching the namespace. */
    @Override
    public String scope() {
        return KIND + ":" + namespace;
    }

    /**
     * Starts the pod informer and returns once it has listed the pods there are.
     *
     * @throws IllegalStateException when already started
     * @throws SandboxBackendException when the API cannot be reached
     */
    @Override
    public synchronized void start(SandboxEvents events) {
        requireNonNull(events, "events");
        if (informer != null) {
            throw new IllegalStateException("start: already started");
        }
        PodEventHandler watching = new PodEventHandler(events, objects::endpoint, System::nanoTime);
        handler = watching;
        informer = call("watch the sandboxes' pods", () -> client.pods().inNamespace(namespace)
                .withLabel(MANAGED_BY_LABEL, MANAGED_BY).inform(watching, RESYNC.toMillis()));
    }

    /**
     * Creates the owner ConfigMap, then the Secret, the volume claim (if any), the Service, the
     * NetworkPolicy and the pod, each owned by the first. An object that already exists is an error.
     * On failure, deletes what it created before throwing.
     */
    @Override
    public void create(SandboxSpec spec) {
        requireNonNull(spec, "spec");
        ConfigMap owner = objects.owner(spec);
        List<HasMetadata> children = objects.children(spec);
        Deque<HasMetadata> created = new ArrayDeque<>();
        try {
            ConfigMap createdOwner = create(owner);
            created.push(createdOwner);
            OwnerReference reference = SandboxObjects.ownerReference(createdOwner);
            for (HasMetadata child : children) {
                created.push(create(SandboxObjects.ownedBy(child, reference)));
            }
        } catch (SandboxBackendException e) {
            created.forEach(this::removeAfterFailedCreate); // newest first, the owner last
            throw e;
        }
    }

    /**
     * Rewrites the sandbox's Secret with the new token (and model). With {@link TokenDelivery#ENVIRONMENT},
     * then creates the pod of the next generation and deletes the older ones.
     *
     * @throws SandboxBackendException {@code The sandbox is gone.} when its owner ConfigMap is
     */
    @Override
    public void replaceToken(SandboxSpec spec) {
        requireNonNull(spec, "spec");
        String id = spec.id();
        ConfigMap owner = call("read the sandbox's owner",
                () -> client.configMaps().inNamespace(namespace).withName(SandboxObjects.name(id)).get());
        if (owner == null) {
            throw new SandboxBackendException("The sandbox is gone.");
        }
        OwnerReference reference = SandboxObjects.ownerReference(owner);
        call("update the sandbox's secret", () -> client.resource(SandboxObjects.ownedBy(objects.secret(spec), reference))
                .inNamespace(namespace).update());
        if (spec.profile().tokenDelivery() == TokenDelivery.FILE) {
            return;
        }
        List<Pod> older = call("list the sandbox's pods", () -> pods(id).list().getItems());
        int next = older.stream().mapToInt(SandboxObjects::generation).max().orElse(0) + 1;
        // Make before break: while the next pod exists, the older ones' deletion leaves the sandbox with a
        // pod, which no watching replica takes for a failure.
        create(SandboxObjects.ownedBy(objects.pod(spec, next), reference));
        for (Pod pod : older) {
            call("delete the sandbox's previous pod",
                    () -> client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).delete());
        }
    }

    /**
     * Deletes the sandbox's pods and waits up to 10 s for them to be gone, then its owner (background
     * propagation) and every other object labelled with its id.
     */
    @Override
    public void delete(String id) {
        requireNonNull(id, "id");
        handler.expectDeletion(id);
        // The pods go first, so that the NetworkPolicy and the Secret outlive the runtime.
        call("delete the sandbox's pods", () -> stopPods(id));
        call("delete the sandbox's owner", () -> client.configMaps().inNamespace(namespace)
                .withName(SandboxObjects.name(id)).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete());
        // The garbage collector alone would leave the children of an owner already gone (a failed
        // rollback, a deleted ConfigMap), and removes the others only later: every kind goes by label.
        for (var kind : everyKind(SANDBOX_LABEL, id)) {
            call("delete the sandbox's objects", () -> deleteEach(kind));
        }
    }

    @Override
    public Set<String> list() {
        Set<String> ids = new TreeSet<>();
        for (var kind : everyKind(MANAGED_BY_LABEL, MANAGED_BY)) {
            for (HasMetadata object : call("list the sandboxes' objects", kind::list).getItems()) {
                String id = object.getMetadata().getLabels().get(SANDBOX_LABEL);
                if (id != null) {
                    ids.add(id);
                }
            }
        }
        return Collections.unmodifiableSet(ids);
    }

    /** Stops the informer, and closes the client if {@link #connect} made it. */
    @Override
    public synchronized void close() {
        if (informer != null) {
            informer.close();
        }
        if (closesClient) {
            client.close();
        }
    }

    private <T extends HasMetadata> T create(T object) {
        return call("create the sandbox's " + words(object.getKind()),
                () -> client.resource(object).inNamespace(namespace).create());
    }

    private void removeAfterFailedCreate(HasMetadata object) {
        try {
            client.resource(object).inNamespace(namespace).delete();
        } catch (KubernetesClientException e) {
            log.atWarn().addKeyValue("kind", object.getKind()).addKeyValue("name", object.getMetadata().getName())
                    .addKeyValue("code", e.getCode()).setCause(e)
                    .log("left behind by a failed sandbox creation; list() reports it for orphan collection");
        }
    }

    /**
     * Deletes the objects one by one, by name: a collection delete needs the {@code deletecollection}
     * verb, which not every kind supports (Services) and the controller's Role need not grant.
     */
    private int deleteEach(FilterWatchListDeletable<? extends HasMetadata, ? extends KubernetesResourceList<? extends HasMetadata>, ?> kind) {
        List<? extends HasMetadata> objects = kind.list().getItems();
        objects.forEach(object -> client.resource(object).inNamespace(namespace).delete());
        return objects.size();
    }

    private List<StatusDetails> stopPods(String id) {
        try {
            List<StatusDetails> deleted = new ArrayList<>();
            for (Pod pod : pods(id).list().getItems()) {
                deleted.addAll(client.pods().inNamespace(namespace).withName(pod.getMetadata().getName())
                        .withTimeout(POD_STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).delete());
            }
            return deleted;
        } catch (KubernetesClientTimeoutException e) {
            log.atWarn().addKeyValue("sandbox", id).addKeyValue("timeout", POD_STOP_TIMEOUT)
                    .log("sandbox pods still terminating; deleting the sandbox's other objects anyway");
            return List.of();
        }
    }

    private FilterWatchListDeletable<Pod, PodList, PodResource> pods(String id) {
        return client.pods().inNamespace(namespace).withLabel(SANDBOX_LABEL, id);
    }

    /** Every kind a sandbox has objects of, those labelled {@code label=value}; pods first. */
    private List<FilterWatchListDeletable<? extends HasMetadata, ? extends KubernetesResourceList<? extends HasMetadata>, ?>>
            everyKind(String label, String value) {
        return List.of(
                client.pods().inNamespace(namespace).withLabel(label, value),
                client.services().inNamespace(namespace).withLabel(label, value),
                client.network().v1().networkPolicies().inNamespace(namespace).withLabel(label, value),
                client.secrets().inNamespace(namespace).withLabel(label, value),
                client.persistentVolumeClaims().inNamespace(namespace).withLabel(label, value),
                client.configMaps().inNamespace(namespace).withLabel(label, value));
    }

    private static <T> T call(String action, Supplier<T> request) {
        try {
            return request.get();
        } catch (KubernetesClientException e) {
            throw ApiFailures.of(action, e);
        }
    }

    /** {@code NetworkPolicy} as {@code network policy}. */
    private static String words(String kind) {
        return kind.replaceAll("(?<=[a-z])(?=[A-Z])", " ").toLowerCase(Locale.ROOT);
    }
}
