package dev.gatehouse.server;

import dev.gatehouse.server.audit.AuditEvent.Actor;
import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import dev.gatehouse.server.audit.JdbcAuditLog;
import dev.gatehouse.server.byos.ByosConnections;
import dev.gatehouse.server.byos.SubscriptionsForSandboxes;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.gateway.bridge.SandboxTokenRequest;
import dev.gatehouse.server.gateway.bridge.SandboxTokens;
import dev.gatehouse.server.sandbox.SandboxBackend;
import dev.gatehouse.server.sandbox.SandboxConfig;
import dev.gatehouse.server.sandbox.SandboxController;
import dev.gatehouse.server.sandbox.SandboxCredentials;
import dev.gatehouse.server.sandbox.SandboxSubscriptions;
import dev.gatehouse.server.sandbox.kubernetes.KubernetesBackend;
import dev.gatehouse.server.sandbox.process.ProcessBackend;
import dev.gatehouse.server.sandbox.process.ReferenceRuntime;
import dev.gatehouse.server.sandbox.process.RuntimeCommands;
import dev.gatehouse.server.tokens.MintedToken;
import dev.gatehouse.server.store.GroupCommitter;
import java.time.Clock;
import java.util.List;

/**
 * How the sandbox controller meets the rest of Gatehouse, for the {@code sandbox} role and the
 * operator CLI alike: the configured backend, sandbox tokens minted on the bridge's path, and the
 * owners' subscriptions for BYOS sandboxes.
 */
public final class SandboxWiring {
    private SandboxWiring() {}

    /** The configured backend: child processes under {@code <dataDir>/sandboxes}, or Kubernetes. */
    public static SandboxBackend backend(GatehouseConfig config) {
        SandboxConfig sandbox = config.sandbox();
        return switch (sandbox.backend()) {
            case PROCESS -> new ProcessBackend(config.dataDir().resolve("sandboxes"),
                    new RuntimeCommands(ReferenceRuntime.command()), sandbox.startTimeout());
            case KUBERNETES -> KubernetesBackend.connect(sandbox.kubernetes());
        };
    }

    /** Sandbox tokens through {@link SandboxTokens}: the bridge's records, audit and revocation. */
    public static SandboxCredentials credentials(SandboxTokens tokens) {
        return new SandboxCredentials() {
            @Override
            public MintedToken issue(String sandbox, String organization, String user, List<String> channels,
                    Actor actor, RequestOrigin origin) {
                return GroupCommitter.await(
                        tokens.issue(new SandboxTokenRequest(organization, user, sandbox, channels), actor, origin));
            }

            @Override
            public int revokeAll(String sandbox, Actor actor, RequestOrigin origin) {
                return tokens.revokeSandbox(sandbox, actor, origin);
            }
        };
    }

    /** A controller for one operator command beside running replicas ({@link SandboxController#forOperator}). */
    public static SandboxController operatorController(GatehouseConfig config, Infrastructure infrastructure) {
        JdbcAuditLog audit = new JdbcAuditLog(infrastructure.database());
        Clock clock = Clock.systemUTC();
        return SandboxController.forOperator(config.sandbox(), config.gateway().channels(), infrastructure.database(),
                audit, backend(config), credentials(infrastructure.sandboxTokens(audit, clock, config.sandbox().tokenLifetime())),
                subscriptions(config, infrastructure), clock);
    }

    /** The owners' subscriptions as the {@code byos} role stored them (whichever process runs it). */
    public static SandboxSubscriptions subscriptions(GatehouseConfig config, Infrastructure infrastructure) {
        return new SubscriptionsForSandboxes(config.byos(),
                new ByosConnections(infrastructure.database(), infrastructure.secretVault()));
    }
}
