package dev.gatehouse.server.sandbox;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.audit.AuditEvent.Actor;
import dev.gatehouse.server.audit.AuditEvent.RequestOrigin;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.Shown;
import dev.gatehouse.server.store.Database;
import dev.gatehouse.server.tokens.MintedToken;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandboxes of organization members: create, list, find and delete, with quotas and the
 * organization boundary. A caller sees its own sandboxes; {@value SandboxOwner#ORG_ADMIN} also every
 * sandbox of its organization; anyone else's is reported as not existing. Deleted sandboxes are
 * invisible to everyone.
 *
 * <p>Creating records the sandbox (pending), mints its gateway token through {@link
 * SandboxCredentials} (in BYOS mode: takes its owner's subscription from {@link SandboxSubscriptions})
 * and asks the backend to run it; the backend's events then make it running or
 * failed. Every method blocks on the store (and the backend): call them off the event loop.
 * Thread-safe.
 */
public final class Sandboxes {
    private static final Logger log = LoggerFactory.getLogger(Sandboxes.class);

    private final SandboxConfig config;
    private final SandboxChannels channels;
    private final Database database;
    private final SandboxBackend backend;
    private final SandboxCredentials credentials;
    private final SandboxSubscriptions subscriptions;
    private final SandboxTeardown teardown;
    private final AuditLog audit;
    private final Clock clock;

    Sandboxes(SandboxConfig config, SandboxChannels channels, Database database, SandboxBackend backend,
            SandboxCredentials credentials, SandboxSubscriptions subscriptions, SandboxTeardown teardown, AuditLog audit,
            Clock clock) {
        this.config = requireNonNull(config, "config");
        this.channels = requireNonNull(channels, "channels");
        this.database = requireNonNull(database, "database");
        this.backend = requireNonNull(backend, "backend");
        this.credentials = requireNonNull(credentials, "credentials");
        this.subscriptions = requireNonNull(subscriptions, "subscriptions");
        this.teardown = requireNonNull(teardown, "teardown");
        this.audit = requireNonNull(audit, "audit");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Starts a sandbox for {@code owner}: pending on return, or failed (with its reason) when the
     * backend refused it at once. In BYOS mode it gets the owner's subscription instead of a gateway
     * token.
     *
     * @throws ApiException 400 {@code unknown_profile} or {@code unknown_model}, 409
     *     {@code too_many_sandboxes}, 503 {@code no_channels}; in BYOS mode 400 {@code
     *     invalid_provider}, 409 {@code subscription_not_connected} or {@code subscription_broken}, 503
     *     {@code provider_not_configured}; nothing is recorded or minted then
     */
    public Sandbox create(SandboxOwner owner, NewSandbox request, RequestOrigin origin) {
        requireNonNull(owner, "owner");
        requireNonNull(request, "request");
        requireNonNull(origin, "origin");
        SandboxProfile profile = config.profile(request.profile()).orElseThrow(() -> new ApiException(400,
                "unknown_profile", "profile: " + Shown.quote(request.profile()) + " (expected one of: "
                        + String.join(", ", config.profileNames()) + ")"));
        Optional<String> model = request.model().or(profile::model);
        Optional<SandboxSubscriptions.Usable> subscription = request.provider().map(provider -> usable(owner, provider));
        List<String> channelNames = subscription.isPresent() ? List.of()
                : channels.forSandbox(profile, owner.organization());
        if (subscription.isEmpty()) {
            channels.requireServed(request.model(), channelNames);
        }
        Instant now = clock.instant();
        Sandbox sandbox = new Sandbox(UUID.randomUUID().toString(), request.name(), owner.subject(), owner.issuer(),
                owner.organization(), profile.name(), model, backend.scope(), SandboxStatus.PENDING, Optional.empty(),
                Optional.empty(), now, Optional.empty(), Optional.empty(), now, Optional.empty(), Optional.empty(),
                Optional.empty(), request.provider(), subscription.map(SandboxSubscriptions.Usable::version));
        Map<String, Object> detail = new LinkedHashMap<>();
        sandbox.name().ifPresent(name -> detail.put("name", name));
        model.ifPresent(name -> detail.put("model", name));
        detail.put("mode", sandbox.mode());
        request.provider().ifPresentOrElse(provider -> detail.put("provider", provider),
                () -> detail.put("channels", channelNames));
        detail.put("backend", backend.kind());
        database.jdbi().useTransaction(handle -> {
            SandboxStore.lockOrganization(handle, owner.organization(), now);
            requireQuota(SandboxStore.countLive(handle, owner.organization(), owner.subject(), owner.issuer()),
                    owner.organization());
            SandboxStore.insert(handle, sandbox);
            audit.record(handle, SandboxAudit.event(now, sandbox, SandboxAudit.CREATED, owner.actor(), origin, detail));
        });
        start(sandbox, profile, channelNames, subscription, owner, origin);
        return find(sandbox.id()).orElseThrow();
    }

    private SandboxSubscriptions.Usable usable(SandboxOwner owner, String provider) {
        return switch (subscriptions.current(provider, owner.organization(), owner.subject(), owner.issuer())) {
            case SandboxSubscriptions.Usable usable -> usable;
            case SandboxSubscriptions.Unusable unusable ->
                    throw new ApiException(unusable.status(), unusable.code(), unusable.message());
        };
    }

    private void requireQuota(SandboxStore.Counts live, String organization) {
        if (live.owner() >= config.maxPerUser()) {
            throw new ApiException(409, "too_many_sandboxes", "You have " + live.owner()
                    + " sandboxes pending or running in organization " + Shown.quote(organization) + " (expected: at most "
                    + config.maxPerUser() + "; delete one you no longer use).");
        }
        if (live.organization() >= config.maxPerOrganization()) {
            throw new ApiException(409, "too_many_sandboxes", "Organization " + Shown.quote(organization)
                    + " has " + live.organization() + " sandboxes pending or running (expected: at most "
                    + config.maxPerOrganization() + "; ask an administrator of the organization to stop some).");
        }
    }

    private void start(Sandbox sandbox, SandboxProfile profile, List<String> channelNames,
            Optional<SandboxSubscriptions.Usable> subscription, SandboxOwner owner, RequestOrigin origin) {
        try {
            LlmAccess access;
            if (subscription.isPresent()) {
                access = subscription.get().access();
            } else {
                MintedToken token = credentials.issue(sandbox.id(), sandbox.organization(), owner.subject(),
                        channelNames, owner.actor(), origin);
                if (!database.jdbi().withHandle(handle -> SandboxStore.setFirstToken(handle, sandbox.id(),
                        token.tokenId(), token.expiresAt()))) {
                    // Deleted while its token was minted: the deletion revoked nothing yet, so revoke now.
                    teardown.remove(sandbox.id(), SandboxAudit.CONTROLLER, origin);
                    return;
                }
                access = new LlmAccess.Gateway(config.gatewayUrl(), token.token());
            }
            backend.create(new SandboxSpec(sandbox.id(), sandbox.organization(), owner.subject(), profile, access,
                    sandbox.model()));
            if (!stillWanted(sandbox.id())) {
                // Deleted while the backend created it: the deletion may have found nothing to remove.
                teardown.remove(sandbox.id(), SandboxAudit.CONTROLLER, origin);
            }
        } catch (SandboxBackendException e) {
            teardown.fail(sandbox.id(), e.getMessage(), SandboxAudit.CONTROLLER, origin);
        } catch (RuntimeException e) {
            log.atError().setCause(e).addKeyValue("sandbox", sandbox.id()).log("starting a sandbox failed");
            teardown.fail(sandbox.id(), "Gatehouse could not start the sandbox (an internal error; quote the sandbox id"
                    + " when reporting it).", SandboxAudit.CONTROLLER, origin);
        }
    }

    private boolean stillWanted(String id) {
        return find(id).filter(sandbox -> !sandbox.deleted() && sandbox.status().counts()).isPresent();
    }

    /** The caller's own sandboxes, newest first; with {@code organization}, every sandbox of the caller's organization. */
    public List<Sandbox> list(SandboxOwner caller, boolean organization) {
        requireNonNull(caller, "caller");
        if (organization && !caller.orgAdmin()) {
            throw new ApiException(403, "capability_required", "Listing every sandbox of organization "
                    + Shown.quote(caller.organization()) + " needs the capability " + SandboxOwner.ORG_ADMIN + ".");
        }
        return database.jdbi().withHandle(handle -> organization
                ? SandboxStore.listOrganization(handle, caller.organization())
                : SandboxStore.listOwnedBy(handle, caller.organization(), caller.subject(), caller.issuer()));
    }

    /** Sandbox {@code id} if the caller may see it and it is not deleted. */
    public Optional<Sandbox> find(SandboxOwner caller, String id) {
        requireNonNull(caller, "caller");
        return find(id).filter(sandbox -> !sandbox.deleted() && caller.mayManage(sandbox));
    }

    /** Sandbox {@code id} whoever owns it, deleted or not. */
    public Optional<Sandbox> find(String id) {
        requireNonNull(id, "id");
        return database.jdbi().withHandle(handle -> SandboxStore.find(handle, id));
    }

    /**
     * Deletes sandbox {@code id}: invisible at once, its tokens revoked, what runs removed.
     *
     * @return false when the caller may not see it (or it does not exist, or is deleted already)
     */
    public boolean delete(SandboxOwner caller, String id, RequestOrigin origin) {
        requireNonNull(caller, "caller");
        requireNonNull(origin, "origin");
        Optional<Sandbox> sandbox = find(caller, id);
        if (sandbox.isEmpty()) {
            return false;
        }
        String reason = caller.owns(sandbox.get()) ? "Deleted by its owner."
                : "Deleted by an administrator of organization " + Shown.quote(caller.organization()) + ".";
        return delete(sandbox.get(), reason, caller.actor(), origin);
    }

    /**
     * Deletes sandbox {@code id} whoever owns it (the operator CLI).
     *
     * @return false when there is no such sandbox, or it is deleted already
     */
    public boolean deleteAny(String id, Actor actor) {
        requireNonNull(actor, "actor");
        return find(id).filter(sandbox -> !sandbox.deleted())
                .map(sandbox -> delete(sandbox, "Deleted by an operator.", actor, RequestOrigin.NONE))
                .orElse(false);
    }

    private boolean delete(Sandbox sandbox, String reason, Actor actor, RequestOrigin origin) {
        Instant now = clock.instant();
        if (!database.jdbi().inTransaction(handle -> SandboxStore.markDeleted(handle, sandbox.id(), now))) {
            return false;
        }
        if (!teardown.stop(sandbox.id(), reason, SandboxAudit.DELETED, Map.of(), actor, origin)) {
            // Not live (ended already, or being stopped): the deletion is audited, and nothing may remain.
            database.jdbi().useHandle(handle -> audit.record(handle, SandboxAudit.event(now, sandbox,
                    SandboxAudit.DELETED, actor, origin, Map.of("status", sandbox.status().value()))));
            teardown.remove(sandbox.id(), actor, origin);
        }
        return true;
    }

    /** Every sandbox, deleted ones included, newest first: the operator's view. */
    public List<Sandbox> listAll() {
        return database.jdbi().withHandle(SandboxStore::listAll);
    }

    /**
     * Whether {@code id} is the id of a sandbox this controller manages (whoever owns it, in any
     * status): the sandbox-token bridge mints for such an id only through the controller.
     */
    public static boolean isManaged(Database database, String id) {
        return database.jdbi().withHandle(handle -> SandboxStore.exists(handle, id));
    }
}
