package dev.gatehouse.server.sandbox;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * The record of one sandbox, as stored. Immutable.
 *
 * @param id a UUID: the sandbox token's {@code sub}, the {@code sandbox} dimension of usage, and part
 *     of every backend object's name
 * @param name what its owner called it, if anything
 * @param ownerSubject the owner's {@code sub}
 * @param ownerIssuer the owner's {@code iss}
 * @param organization the owner's organization
 * @param profile the profile it was started from
 * @param model the default model it was given, if any
 * @param backend the scope of the backend running it ({@link SandboxBackend#scope()})
 * @param status where it is in its life
 * @param reason why it failed or stopped, for a person; empty while it is fine
 * @param endpoint where the proxy reaches its runtime, once running
 * @param createdAt when it was asked for
 * @param runningAt when it first became running
 * @param endedAt when it stopped or failed
 * @param lastActiveAt its last proxied traffic (gateway calls are read from the usage records)
 * @param tokenId the {@code jti} of its current gateway token
 * @param tokenExpiresAt when that token expires
 * @param deletedAt when it was deleted (it is then invisible to the API)
 * @param provider in BYOS mode, the provider whose subscription of its owner it uses; empty: it uses the gateway
 * @param credentialVersion in BYOS mode, the version of the subscription's credential it was given
 */
public record Sandbox(
        String id,
        Optional<String> name,
        String ownerSubject,
        String ownerIssuer,
        String organization,
        String profile,
        Optional<String> model,
        String backend,
        SandboxStatus status,
        Optional<String> reason,
        Optional<SandboxEndpoint> endpoint,
        Instant createdAt,
        Optional<Instant> runningAt,
        Optional<Instant> endedAt,
        Instant lastActiveAt,
        Optional<String> tokenId,
        Optional<Instant> tokenExpiresAt,
        Optional<Instant> deletedAt,
        Optional<String> provider,
        Optional<Long> credentialVersion) {

    public Sandbox {
        requireNonNull(id, "id");
        requireNonNull(name, "name");
        requireNonNull(ownerSubject, "ownerSubject");
        requireNonNull(ownerIssuer, "ownerIssuer");
        requireNonNull(organization, "organization");
        requireNonNull(profile, "profile");
        requireNonNull(model, "model");
        requireNonNull(backend, "backend");
        requireNonNull(status, "status");
        requireNonNull(reason, "reason");
        requireNonNull(endpoint, "endpoint");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(runningAt, "runningAt");
        requireNonNull(endedAt, "endedAt");
        requireNonNull(lastActiveAt, "lastActiveAt");
        requireNonNull(tokenId, "tokenId");
        requireNonNull(tokenExpiresAt, "tokenExpiresAt");
        requireNonNull(deletedAt, "deletedAt");
        requireNonNull(provider, "provider");
        requireNonNull(credentialVersion, "credentialVersion");
    }

    public boolean deleted() {
        return deletedAt.isPresent();
    }

    /** {@code byos} when it uses its owner's subscription, else {@code gateway}. */
    public String mode() {
        return provider.isPresent() ? NewSandbox.BYOS : NewSandbox.GATEWAY;
    }
}
