package dev.gatehouse.server.config;

import static dev.gatehouse.server.config.ConfigTestSupport.loadYaml;
import static dev.gatehouse.server.config.ConfigTestSupport.problemsOf;
import static dev.gatehouse.server.config.ConfigTestSupport.yamlProblems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.gateway.ChannelConfig;
import dev.gatehouse.server.sandbox.SandboxConfig;
import dev.gatehouse.server.sandbox.SandboxProfile;
import dev.gatehouse.server.sandbox.TokenDelivery;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sandbox.*}: defaults, profiles from YAML and the environment, and every problem named. */
class ConfigSandboxTest {
    @TempDir
    Path dir;

    @Test
    void defaults_aProcessBackend_theDefaultProfile_andTheGatewayOfThisServer() {
        SandboxConfig sandbox = ConfigLoader.load(null, Map.of("GATEHOUSE_SERVER_PORT", "9090")).sandbox();

        assertThat(sandbox.backend()).isEqualTo(SandboxConfig.Backend.PROCESS);
        assertThat(sandbox.gatewayUrl()).isEqualTo(URI.create("http://127.0.0.1:9090/v1"));
        assertThat(sandbox.profiles()).containsExactly(SandboxProfile.builtInDefault());
        assertThat(sandbox.maxPerUser()).isEqualTo(5);
        assertThat(sandbox.maxPerOrganization()).isEqualTo(100);
        assertThat(sandbox.startTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(sandbox.idleTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(sandbox.maxLifetime()).isEqualTo(Duration.ofHours(12));
        assertThat(sandbox.tokenRotateBefore()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void profilesFromYaml_takeDefaultsForWhatTheyOmit_andKeepTheirOrder() {
        SandboxConfig sandbox = loadYaml(dir, """
                gateway:
                  channels:
                    - {name: qwen-a, provider: qwen, baseUrl: "http://q/v1", models: [qwen3]}
                sandbox:
                  profiles:
                    - name: coding
                      channels: [qwen-a]
                      model: qwen3
                      image: ghcr.io/acme/agent@sha256:abc
                      runtimeClass: gvisor
                      resources: {cpuLimit: "2", memoryLimit: 2Gi}
                      volume: {size: 10Gi, storageClass: fast}
                      port: 7000
                      tokenDelivery: environment
                    - name: default
                      command: [/opt/agent/bin/serve, --quiet]
                """, Map.of()).sandbox();

        assertThat(sandbox.profileNames()).containsExactly("coding", "default");
        SandboxProfile coding = sandbox.profile("coding").orElseThrow();
        assertThat(coding.channels()).containsExactly("qwen-a");
        assertThat(coding.model()).contains("qwen3");
        assertThat(coding.runtimeClass()).contains("gvisor");
        assertThat(coding.resources()).isEqualTo(new SandboxProfile.Resources("100m", "2", "128Mi", "2Gi"));
        assertThat(coding.volume().orElseThrow().mountPath()).isEqualTo("/workspace");
        assertThat(coding.volume().orElseThrow().storageClass()).contains("fast");
        assertThat(coding.port()).isEqualTo(7000);
        assertThat(coding.tokenDelivery()).isEqualTo(TokenDelivery.ENVIRONMENT);
        assertThat(sandbox.profile("default").orElseThrow().command()).containsExactly("/opt/agent/bin/serve", "--quiet");
    }

    @Test
    void badProfiles_areNamedByPosition() {
        assertThat(yamlProblems(dir, """
                sandbox:
                  profiles:
                    - {name: a, imag: x}
                """)).containsExactly("sandbox.profiles[0].imag: unknown field (did you mean image?)");
        assertThat(yamlProblems(dir, """
                sandbox:
                  profiles:
                    - {name: a, resources: {memoryLimit: lots}}
                """)).containsExactly("sandbox.profiles[0].resources.memoryLimit: \"lots\" (expected: a Kubernetes"
                + " quantity such as 250m, 1, 128Mi or 2Gi)");
        assertThat(yamlProblems(dir, """
                sandbox:
                  profiles:
                    - {name: Coding}
                """)).singleElement().asString().startsWith("sandbox.profiles[0].name: \"Coding\" (expected: 1..63");
        assertThat(yamlProblems(dir, """
                sandbox:
                  profiles:
                    - {name: a, tokenDelivery: carrier-pigeon}
                """)).containsExactly("sandbox.profiles[0].tokenDelivery: \"carrier-pigeon\" (expected: file or environment)");
        assertThat(yamlProblems(dir, """
                sandbox:
                  profiles:
                    - {name: a}
                    - {name: a}
                """)).singleElement().asString().contains("[1].name: \"a\" (expected: each profile name once)");
    }

    @Test
    void profileChannels_mustBeGatewayChannels() {
        assertThat(problemsOf(null, Map.of("GATEHOUSE_SANDBOX_PROFILES", "[{\"name\":\"a\",\"channels\":[\"nope\"]}]",
                "GATEHOUSE_GATEWAY_DEV_CHANNEL", "false")))
                .singleElement().asString().startsWith("GATEHOUSE_SANDBOX_PROFILES: ")
                .endsWith("(expected: channels named by gateway.channels, [])");
    }

    @Test
    void kubernetesBackend_needsANamespace_oneGatewayPeer_andAnImage() {
        assertThat(problemsOf(null, Map.of("GATEHOUSE_SANDBOX_BACKEND", "kubernetes"))).containsExactly(
                "sandbox.kubernetes.namespace: (not set) (expected: set with sandbox.backend kubernetes: the namespace"
                        + " sandboxes are created in)",
                "sandbox.kubernetes.gatewayCidr: (not set) (expected: with sandbox.backend kubernetes, either gatewayCidr"
                        + " or gatewayNamespace/gatewayPodLabels: the one place besides DNS a sandbox may connect to)",
                "sandbox.kubernetes.image: (not set) (expected: set with sandbox.backend kubernetes unless every profile"
                        + " names an image; profiles without one: [default])");
        assertThat(problemsOf(null, Map.of("GATEHOUSE_SANDBOX_BACKEND", "kubernetes",
                "GATEHOUSE_SANDBOX_KUBERNETES_NAMESPACE", "sandboxes",
                "GATEHOUSE_SANDBOX_KUBERNETES_IMAGE", "runtime:1",
                "GATEHOUSE_SANDBOX_KUBERNETES_GATEWAY_CIDR", "10.0.0.0/8",
                "GATEHOUSE_SANDBOX_KUBERNETES_GATEWAY_NAMESPACE", "gatehouse"))).singleElement().asString()
                .startsWith("GATEHOUSE_SANDBOX_KUBERNETES_GATEWAY_CIDR: 10.0.0.0/8 (expected: with sandbox.backend kubernetes, either");
        assertThat(problemsOf(null, Map.of("GATEHOUSE_SANDBOX_KUBERNETES_GATEWAY_CIDR", "10.0.0/8")))
                .containsExactly("GATEHOUSE_SANDBOX_KUBERNETES_GATEWAY_CIDR: \"10.0.0/8\""
                        + " (expected: an address range such as 10.0.0.0/16)");
    }

    @Test
    void tokenRotation_mustComeBeforeTheTokenExpires() {
        assertThat(problemsOf(null, Map.of("GATEHOUSE_SANDBOX_TOKEN_ROTATE_BEFORE", "7d"))).containsExactly(
                "GATEHOUSE_SANDBOX_TOKEN_ROTATE_BEFORE: 7d (expected: less than a sandbox token's lifetime, 7d)");
        assertThat(problemsOf(null, Map.of("GATEHOUSE_TOKENS_MAX_TTL", "1d", "GATEHOUSE_PAT_MAX_TTL", "1d")))
                .containsExactly("sandbox.tokenRotateBefore: 1d (expected: less than a sandbox token's lifetime, 1d)");
        assertThat(problemsOf(null, Map.of("GATEHOUSE_SANDBOX_IDLE_TIMEOUT", "0s")))
                .containsExactly("GATEHOUSE_SANDBOX_IDLE_TIMEOUT: PT0S (expected: > 0)");
        assertThat(problemsOf(null, Map.of("GATEHOUSE_SANDBOX_MAX_PER_USER", "0")))
                .containsExactly("GATEHOUSE_SANDBOX_MAX_PER_USER: 0 (expected: 1..1000)");
    }

    @Test
    void channelOrganizations_restrictWhoMayUseAChannel() {
        List<ChannelConfig> channels = ConfigLoader.load(null, Map.of("GATEHOUSE_GATEWAY_CHANNELS",
                "[{\"name\":\"a\",\"provider\":\"p\",\"baseUrl\":\"http://h/v1\",\"models\":[\"m\"],"
                        + "\"organizations\":\"acme, globex\"}]")).gateway().channels();

        assertThat(channels).singleElement().satisfies(channel -> {
            assertThat(channel.organizations()).containsExactly("acme", "globex");
            assertThat(channel.allows("acme")).isTrue();
            assertThat(channel.allows("initech")).isFalse();
        });
    }
}
