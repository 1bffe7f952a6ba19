package dev.gatehouse.server.gateway.api;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.RejectionReason;
import dev.gatehouse.sdk.verify.TokenRejectedException;
import dev.gatehouse.sdk.verify.TokenVerifier;
import dev.gatehouse.server.gateway.GatewayCaller;
import dev.gatehouse.server.gateway.GatewayException;
import dev.gatehouse.server.gateway.metering.Caller;
import dev.gatehouse.server.http.BearerAuth;
import dev.gatehouse.server.tokens.TokenIds;
import java.util.LinkedHashSet;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's authentication stage: {@code Authorization: Bearer <token>} (or {@code x-api-key:
 * <token>} without an {@code Authorization}) where the token is a
 * sandbox token (ES256/EdDSA from the key ring, or HS256 when {@code keys.hs256Secret} is set;
 * {@code channels} required), a personal access token whose {@code aud} contains {@value #AUDIENCE}
 * (revocation checked), or — only with {@code gateway.acceptSessions} — a session token. Anything
 * else is a 401 in OpenAI's shape whose code is the verifier's stable reason; the detail goes to the
 * debug log, never the token. A PAT or session must also carry the capability {@value GatewayCaller#LLM_USE}
 * (403 {@code capability_required} otherwise); a sandbox token's grant is its {@code channels} claim.
 * Any token may narrow the models it may ask for with an {@code allowed_models} claim.
 *
 * <p>Runs on the event loop: the verifier must not block (Gatehouse's own verifier over the
 * in-memory key ring and revocation set does not). Thread-safe.
 */
public final class GatewayCredentials {
    public static final String AUDIENCE = "gateway";
    /** The header Anthropic's SDKs send their API key in. */
    public static final String API_KEY_HEADER = "x-api-key";
    private static final Logger log = LoggerFactory.getLogger(GatewayCredentials.class);

    private final TokenVerifier verifier;
    private final boolean acceptSessions;

    /** @param verifier verifies Gatehouse tokens with any audience, revocations included */
    public GatewayCredentials(TokenVerifier verifier, boolean acceptSessions) {
        this.verifier = requireNonNull(verifier, "verifier");
        this.acceptSessions = acceptSessions;
    }

    /**
     * @param authorizationHeader {@code Authorization}, preferred when present; may be {@code null}
     * @param apiKeyHeader {@code x-api-key}, as Anthropic's SDKs send the token; may be {@code null}
     * @throws GatewayException 401, 403 {@code capability_required} (503 when the signing keys cannot
     *     be loaded)
     */
    public GatewayCaller authenticate(String authorizationHeader, String apiKeyHeader) {
        String token = authorizationHeader != null ? BearerAuth.bearerToken(authorizationHeader)
                : apiKeyHeader == null || apiKeyHeader.isBlank() ? null : apiKeyHeader.strip();
        if (token == null) {
            throw GatewayException.unauthorized("missing_token",
                    "Send the gateway token as Authorization: Bearer <LLM_GATEWAY_TOKEN> (or x-api-key: <token>).");
        }
        Claims claims;
        try {
            claims = verifier.verify(token);
        } catch (TokenRejectedException e) {
            log.atDebug().addKeyValue("reason", e.reason().code()).log("gateway token refused: {}", e.getMessage());
            if (e.reason() == RejectionReason.KEYS_UNAVAILABLE) {
                throw new GatewayException(503, "api_error", e.reason().code(), "Signing keys are unavailable; retry.");
            }
            throw GatewayException.unauthorized(e.reason().code(), "The token was refused: " + e.reason().description() + ".");
        }
        return switch (claims.type()) {
            case SANDBOX -> new GatewayCaller(claims, caller(claims, token, claims.user().orElse(null), claims.subject()),
                    Optional.of(new LinkedHashSet<>(claims.channels())), claims.allowedModels());
            case PAT -> {
                if (!claims.audience().contains(AUDIENCE)) {
                    throw GatewayException.unauthorized(RejectionReason.WRONG_AUDIENCE.code(),
                            "This personal access token is not meant for the gateway (audience " + AUDIENCE + ").");
                }
                yield capable(claims, new GatewayCaller(claims, caller(claims, token, claims.subject(), null),
                        Optional.empty(), claims.allowedModels()));
            }
            case SESSION -> {
                if (!acceptSessions) {
                    throw wrongType(claims.type());
                }
                yield capable(claims, new GatewayCaller(claims, caller(claims, token, claims.subject(), null),
                        Optional.empty(), claims.allowedModels()));
            }
            default -> throw wrongType(claims.type());
        };
    }

    /** A PAT or session reaches the gateway only with {@value GatewayCaller#LLM_USE}. */
    private static GatewayCaller capable(Claims claims, GatewayCaller caller) {
        if (!claims.hasCapability(GatewayCaller.LLM_USE)) {
            String kind = claims.type() == TokenType.PAT ? "personal access token" : "session";
            throw new GatewayException(403, "permission_error", "capability_required", "This " + kind
                    + " lacks the capability " + GatewayCaller.LLM_USE + ", which the gateway requires"
                    + (claims.type() == TokenType.PAT ? "; create a new one with \"capabilities\": [\"" + GatewayCaller.LLM_USE
                            + "\"]." : "."));
        }
        return caller;
    }

    /** Limited and metered by {@link TokenIds}: a legacy sandbox token without {@code jti} gets an id of its own. */
    private static Caller caller(Claims claims, String token, String user, String sandbox) {
        return new Caller(claims.organization().orElse(""), user, sandbox, TokenIds.of(claims, token),
                claims.type().claimValue());
    }

    private static GatewayException wrongType(TokenType type) {
        return GatewayException.unauthorized(RejectionReason.WRONG_TYPE.code(), "A " + type.claimValue()
                + " token cannot call the gateway (expected: a sandbox token or a personal access token for the gateway).");
    }
}
