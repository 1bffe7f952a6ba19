package dev.gatehouse.server.sandbox.kubernetes;

import static dev.gatehouse.server.sandbox.kubernetes.Sandboxes.NAMESPACE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.server.sandbox.KubernetesSandboxConfig;
import dev.gatehouse.server.sandbox.SandboxBackendException;
import dev.gatehouse.server.sandbox.SandboxProfile;
import dev.gatehouse.server.sandbox.SandboxSpec;
import dev.gatehouse.server.sandbox.TokenDelivery;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code delete}, {@code list}, {@code replaceToken} and the backend's own life, on fabric8's mock API server. */
@EnableKubernetesMockClient(crud = true)
class KubernetesBackendLifecycleTest {
    KubernetesClient client;
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
    void delete_removesTheOwnerAndEveryChild_leavesOtherSandboxesAlone() {
        SandboxSpec deleted = created(Sandboxes.isolatedProfile("registry.test/agent:1"));
        SandboxSpec kept = created(Sandboxes.isolatedProfile("registry.test/agent:1"));

        backend.delete(deleted.id());

        assertThat(Sandboxes.objectsIn(client)).containsExactlyInAnyOrder(
                "ConfigMap/sandbox-" + kept.id(), "Secret/newapi-key-" + kept.id(),
                "PersistentVolumeClaim/sandbox-" + kept.id() + "-workspace", "Service/sandbox-" + kept.id(),
                "NetworkPolicy/sandbox-" + kept.id(), "Pod/sandbox-" + kept.id() + "-1");
    }

    @Test
    void delete_ofChildrenWhoseOwnerIsGone_removesThemToo() {
        SandboxSpec spec = created(Sandboxes.profile(TokenDelivery.FILE));
        client.configMaps().inNamespace(NAMESPACE).withName("sandbox-" + spec.id()).delete();

        backend.delete(spec.id());

        assertThat(Sandboxes.objectsIn(client)).isEmpty();
    }

    @Test
    void delete_isIdempotent() {
        SandboxSpec spec = created(Sandboxes.profile(TokenDelivery.FILE));

        backend.delete(spec.id());
        backend.delete(spec.id());
        backend.delete(UUID.randomUUID().toString());

        assertThat(Sandboxes.objectsIn(client)).isEmpty();
    }

    @Test
    void list_findsSandboxesWithAnOwner_andChildrenWhoseOwnerIsGone() {
        SandboxSpec whole = created(Sandboxes.profile(TokenDelivery.FILE));
        SandboxSpec orphaned = created(Sandboxes.profile(TokenDelivery.FILE));
        client.configMaps().inNamespace(NAMESPACE).withName("sandbox-" + orphaned.id()).delete();
        client.configMaps().inNamespace(NAMESPACE).resource(new ConfigMapBuilder().withNewMetadata()
                .withName("unrelated").addToLabels("gatehouse.dev/sandbox", UUID.randomUUID().toString())
                .endMetadata().build()).create();

        assertThat(backend.list()).containsExactlyInAnyOrder(whole.id(), orphaned.id());
    }

    @Test
    void list_ofAnEmptyNamespace_isEmpty() {
        assertThat(backend.list()).isEmpty();
    }

    @Test
    void replaceToken_deliveredByFile_rewritesTheSecret_keepsThePod() {
        SandboxSpec spec = created(Sandboxes.profile(TokenDelivery.FILE));
        Pod before = onlyPod(spec.id());
        String newToken = Sandboxes.token();

        backend.replaceToken(spec.withToken(newToken));

        Secret secret = client.secrets().inNamespace(NAMESPACE).withName("newapi-key-" + spec.id()).get();
        assertThat(decoded(secret, "api-key")).isEqualTo(newToken);
        assertThat(decoded(secret, "base-url")).isEqualTo(Sandboxes.gatewayUrl(spec));
        assertThat(secret.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(owner -> assertThat(owner.getName()).isEqualTo("sandbox-" + spec.id()));
        assertThat(onlyPod(spec.id()).getMetadata().getUid()).isEqualTo(before.getMetadata().getUid());
    }

    @Test
    void replaceToken_deliveredByEnvironment_replacesThePodWithTheNextGeneration() {
        SandboxSpec spec = created(Sandboxes.profile(TokenDelivery.ENVIRONMENT));
        String ownerUid = client.configMaps().inNamespace(NAMESPACE).withName("sandbox-" + spec.id()).get()
                .getMetadata().getUid();
        String newToken = Sandboxes.token();

        backend.replaceToken(spec.withToken(newToken));

        Secret secret = client.secrets().inNamespace(NAMESPACE).withName("newapi-key-" + spec.id()).get();
        assertThat(decoded(secret, "api-key")).isEqualTo(newToken);
        Pod pod = onlyPod(spec.id());
        assertThat(pod.getMetadata().getName()).isEqualTo("sandbox-" + spec.id() + "-2");
        assertThat(pod.getMetadata().getLabels()).containsEntry("gatehouse.dev/generation", "2");
        assertThat(pod.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(owner -> assertThat(owner.getUid()).isEqualTo(ownerUid));

        backend.replaceToken(spec.withToken(Sandboxes.token()));

        assertThat(onlyPod(spec.id()).getMetadata().getName()).isEqualTo("sandbox-" + spec.id() + "-3");
    }

    @Test
    void replaceToken_ofAGoneSandbox_throwsTheSandboxIsGone_createsNothing() {
        SandboxSpec spec = Sandboxes.spec(Sandboxes.profile(TokenDelivery.ENVIRONMENT));

        assertThatThrownBy(() -> backend.replaceToken(spec))
                .isInstanceOf(SandboxBackendException.class)
                .hasMessage("The sandbox is gone.");
        assertThat(Sandboxes.objectsIn(client)).isEmpty();
    }

    @Test
    void apiUnreachable_throwsCouldNotBeReached() {
        try (KubernetesClient unreachable = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                        .withMasterUrl("https://127.0.0.1:1/").withRequestRetryBackoffLimit(0).build()).build();
                KubernetesBackend offline = KubernetesBackend.create(unreachable,
                        Sandboxes.selectorConfig(Optional.of(Sandboxes.CONFIG_IMAGE)))) {
            assertThatThrownBy(offline::list)
                    .isInstanceOf(SandboxBackendException.class)
                    .hasMessage("Kubernetes could not be reached to list the sandboxes' objects.");
        }
    }

    @Test
    void start_twice_isRefused() {
        backend.start(new RecordingEvents());

        assertThatThrownBy(() -> backend.start(new RecordingEvents()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("start: already started");
    }

    @Test
    void close_leavesTheCallersClientOpen() {
        backend.start(new RecordingEvents());

        backend.close();

        assertThat(client.configMaps().inNamespace(NAMESPACE).list().getItems()).isEmpty();
    }

    @Test
    void create_withoutNamespace_isRefusedNamingTheKey() {
        KubernetesSandboxConfig noNamespace = new KubernetesSandboxConfig(Optional.empty(), Optional.empty(),
                Optional.empty(), Map.of(), Optional.of("10.0.0.0/8"), 8080, Optional.empty(),
                Sandboxes.GATEHOUSE_POD_LABELS, "kube-system", Sandboxes.DNS_POD_LABELS, Sandboxes.RUN_AS_USER);

        assertThatThrownBy(() -> KubernetesBackend.create(client, noNamespace))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("sandbox.kubernetes.namespace: not set");
    }

    private SandboxSpec created(SandboxProfile profile) {
        SandboxSpec spec = Sandboxes.spec(profile);
        backend.create(spec);
        return spec;
    }

    private Pod onlyPod(String id) {
        List<Pod> pods = client.pods().inNamespace(NAMESPACE).withLabel("gatehouse.dev/sandbox", id).list().getItems();
        assertThat(pods).hasSize(1);
        return pods.get(0);
    }

    private static String decoded(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), UTF_8);
    }
}
