package dev.gatehouse.sdk.verify;

import static dev.gatehouse.sdk.internal.Shown.quote;
import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.Header;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObject;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.claims.ClaimsException;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.internal.Shown;
import java.security.Provider;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies Gatehouse-issued JWTs (see {@code docs/claims.md}) with Nimbus JOSE+JWT.
 *
 * <p>Checks, in order, each refusal carrying its {@link RejectionReason}: length
 * ({@code TOO_LARGE}, before any parsing); compact JWS syntax ({@code MALFORMED}; JWE and
 * {@code alg: none} are refused here, the latter as {@code UNSUPPORTED_ALGORITHM}); the
 * {@code typ} claim and header ({@code WRONG_TYPE}); the algorithm allow-list
 * ({@code UNSUPPORTED_ALGORITHM}); the key by {@code kid} ({@code UNKNOWN_KEY}); the signature
 * ({@code BAD_SIGNATURE}); {@code iss}, {@code aud}, {@code exp}, {@code nbf} with bounded leeway;
 * the claims contract ({@link Claims#fromJwt}); and last the {@link RevocationCheck}.
 *
 * <p>HS256 is accepted only when an HS256 secret is configured, and then verifies only with that
 * secret, never with a key from the key source: a token MACed with a public key as the secret
 * is refused.
 *
 * <p>Built once by {@link #builder()}; immutable and thread-safe (if the key source and revocation
 * check are).
 */
public final class GatehouseTokenVerifier implements TokenVerifier {
    /** The {@code kid} of Gatehouse HS256 tokens. */
    public static final String HS256_KEY_ID = "hs256";
    /** Default leeway for {@code exp} and {@code nbf}. */
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
    /** Largest allowed leeway for {@code exp} and {@code nbf}. */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    /** Default maximum length of a token, in characters. */
    public static final int DEFAULT_MAX_TOKEN_LENGTH = 8192;
    /** Shortest accepted HS256 secret, in bytes (RFC 7518 §3.2). */
    public static final int MIN_HS256_SECRET_BYTES = 32;

    private static final boolean ED25519_AVAILABLE = isOnClassPath("com.google.crypto.tink.subtle.Ed25519Verify");
    private static final JOSEObjectTypeVerifier<SecurityContext> JWT_HEADER_TYPE =
            new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null);

    private final DefaultJWTProcessor<SecurityContext> processor;
    private final Set<JWSAlgorithm> algorithms;
    private final Set<TokenType> acceptedTypes;
    private final int maxTokenLength;
    private final RevocationCheck revocationCheck;

    private GatehouseTokenVerifier(Builder builder, Set<JWSAlgorithm> algorithms) {
        this.algorithms = algorithms;
        acceptedTypes = Collections.unmodifiableSet(EnumSet.copyOf(builder.acceptedTypes));
        maxTokenLength = builder.maxTokenLength;
        revocationCheck = builder.revocationCheck;
        SecretKey hs256Key = builder.hs256Secret == null ? null : new SecretKeySpec(builder.hs256Secret, "HmacSHA256");
        processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(GatehouseTokenVerifier::verifyHeaderType);
        processor.setJWSKeySelector(new KeySelector(algorithms, hs256Key, builder.keySource));
        processor.setJWSVerifierFactory(new VerifierFactory(builder.signatureProvider));
        processor.setJWTClaimsSetVerifier(
                new ClaimsRules(builder.issuer, builder.audiences, builder.clockSkew, builder.clock));
    }

    /** A builder; {@link Builder#issuer(String)} and (unless only HS256 is allowed) {@link Builder#keySource} are required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Claims verify(String token) throws TokenRejectedException {
        requireNonNull(token, "token");
        if (token.length() > maxTokenLength) {
            throw new TokenRejectedException(RejectionReason.TOO_LARGE,
                    "token: " + token.length() + " characters (expected: <= " + maxTokenLength + ")");
        }
        SignedJWT jwt = parse(token);
        JWTClaimsSet claimsSet = claimsOf(jwt);
        checkAlgorithmForType(jwt.getHeader().getAlgorithm(), checkType(claimsSet));
        JWTClaimsSet verified;
        try {
            verified = processor.process(jwt, null);
        } catch (BadJOSEException | JOSEException e) {
            throw rejection(jwt, e);
        }
        Claims claims;
        try {
            claims = Claims.fromJwt(verified, jwt.getHeader().getKeyID());
        } catch (ClaimsException e) {
            throw new TokenRejectedException(e.reason(), e.getMessage(), e);
        }
        if (revocationCheck.isRevoked(claims)) {
            throw revoked(claims);
        }
        return claims;
    }

    /** The algorithms this verifier accepts. */
    public Set<JWSAlgorithm> algorithms() {
        return algorithms;
    }

    /** The token types this verifier accepts. */
    public Set<TokenType> acceptedTypes() {
        return acceptedTypes;
    }

    private SignedJWT parse(String token) throws TokenRejectedException {
        Base64URL[] parts;
        Header header;
        try {
            parts = JOSEObject.split(token);
            header = Header.parse(parts[0]);
        } catch (ParseException e) {
            throw new TokenRejectedException(RejectionReason.MALFORMED,
                    "not a compact JWS: " + e.getMessage() + " (expected: base64url header.payload.signature)", e);
        }
        if (header instanceof PlainHeader) {
            throw new TokenRejectedException(RejectionReason.UNSUPPORTED_ALGORITHM,
                    "alg: \"none\" (expected one of: " + algorithms + ")");
        }
        if (header instanceof JWEHeader) {
            throw new TokenRejectedException(RejectionReason.MALFORMED,
                    "encrypted token (JWE) (expected: a signed JWT in compact JWS form)");
        }
        if (parts.length != 3) {
            throw new TokenRejectedException(RejectionReason.MALFORMED,
                    "JWS with " + parts.length + " parts (expected: 3)");
        }
        if (parts[2].toString().isEmpty()) {
            JWSAlgorithm alg = ((JWSHeader) header).getAlgorithm();
            if (!algorithms.contains(alg)) {
                throw new TokenRejectedException(RejectionReason.UNSUPPORTED_ALGORITHM,
                        "alg: " + quote(alg) + " (expected one of: " + algorithms + ")");
            }
            throw new TokenRejectedException(RejectionReason.BAD_SIGNATURE,
                    "signature: missing (expected: " + alg + " signature)");
        }
        try {
            return new SignedJWT(parts[0], parts[1], parts[2]);
        } catch (ParseException e) {
            throw new TokenRejectedException(RejectionReason.MALFORMED, "not a compact JWS: " + e.getMessage(), e);
        }
    }

    private static JWTClaimsSet claimsOf(SignedJWT jwt) throws TokenRejectedException {
        try {
            return jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new TokenRejectedException(RejectionReason.MALFORMED,
                    "payload: not a JWT claims set (" + e.getMessage() + ")", e);
        }
    }

    static TokenRejectedException revoked(Claims claims) {
        return new TokenRejectedException(RejectionReason.REVOKED, "token " + claims.tokenId()
                .map(jti -> "jti " + quote(jti)).orElse("without jti") + " is revoked");
    }

    private TokenType checkType(JWTClaimsSet claimsSet) throws TokenRejectedException {
        TokenType type;
        try {
            type = Claims.typeOf(claimsSet);
        } catch (ClaimsException e) {
            throw new TokenRejectedException(e.reason(), e.getMessage(), e);
        }
        if (!acceptedTypes.contains(type)) {
            throw new TokenRejectedException(RejectionReason.WRONG_TYPE, "typ: \"" + type.claimValue()
                    + "\" (expected one of: " + acceptedTypes.stream().map(TokenType::claimValue).toList() + ")");
        }
        return type;
    }

    /**
     * The HS256 secret is shared with the NewAPI interop peer, so it may vouch for sandbox tokens
     * only: whoever holds it must not be able to mint a session, PAT or service token.
     */
    private void checkAlgorithmForType(JWSAlgorithm algorithm, TokenType type) throws TokenRejectedException {
        if (JWSAlgorithm.HS256.equals(algorithm) && algorithms.contains(algorithm) && type != TokenType.SANDBOX) {
            throw new TokenRejectedException(RejectionReason.UNSUPPORTED_ALGORITHM, "alg: \"HS256\" with typ: \""
                    + type.claimValue() + "\" (expected: HS256 only for sandbox tokens)");
        }
    }

    private static void verifyHeaderType(JOSEObjectType type, SecurityContext context) throws BadJOSEException {
        try {
            JWT_HEADER_TYPE.verify(type, context);
        } catch (BadJOSEException e) {
            throw new Rejection.OfToken(RejectionReason.WRONG_TYPE,
                    "header typ: " + quote(type) + " (expected: \"JWT\" or absent)");
        }
    }

    private static TokenRejectedException rejection(SignedJWT jwt, Exception e) {
        if (e instanceof Rejection rejection) {
            return new TokenRejectedException(rejection.reason(), e.getMessage(), e);
        }
        if (e instanceof BadJWSException) {
            return new TokenRejectedException(RejectionReason.BAD_SIGNATURE, "signature does not verify with the "
                    + jwt.getHeader().getAlgorithm() + " key " + keyName(jwt), e);
        }
        if (e instanceof KeySourceException) {
            return new TokenRejectedException(RejectionReason.KEYS_UNAVAILABLE,
                    "trusted keys unavailable: " + e.getMessage(), e);
        }
        return new TokenRejectedException(RejectionReason.BAD_SIGNATURE,
                "signature cannot be verified with the key " + keyName(jwt) + ": " + e.getMessage(), e);
    }

    private static String keyName(SignedJWT jwt) {
        String kid = jwt.getHeader().getKeyID();
        return kid == null ? "(no kid)" : quote(kid);
    }

    private static boolean isOnClassPath(String className) {
        try {
            Class.forName(className, false, GatehouseTokenVerifier.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Configures a {@link GatehouseTokenVerifier}. Setters validate their argument; {@link #build()}
     * validates the combination. Not thread-safe; the built verifier is.
     */
    public static final class Builder {
        private static final Set<JWSAlgorithm> ASYMMETRIC = asymmetricAlgorithms();

        private String issuer;
        private JWKSource<SecurityContext> keySource;
        private byte[] hs256Secret;
        private Set<JWSAlgorithm> algorithms;
        /** Null until chosen: {@link #build()} refuses to guess which types a service accepts. */
        private Set<TokenType> acceptedTypes;
        /** Null until chosen; empty after {@link #anyAudience()}. */
        private Set<String> audiences;
        private Duration clockSkew = DEFAULT_CLOCK_SKEW;
        private int maxTokenLength = DEFAULT_MAX_TOKEN_LENGTH;
        private RevocationCheck revocationCheck = RevocationCheck.NONE;
        private Clock clock = Clock.systemUTC();
        /** Null: the JDK's providers for ECDSA, Tink for EdDSA. */
        private Provider signatureProvider;

        Builder() {}

        /** Required: the exact {@code iss} of accepted tokens (no normalization, no trailing-slash tolerance). */
        public Builder issuer(String issuer) {
            requireNonNull(issuer, "issuer");
            if (issuer.isBlank()) {
                throw new IllegalArgumentException("issuer: \"" + issuer + "\" (expected: non-blank)");
            }
            this.issuer = issuer;
            return this;
        }

        /**
         * The trusted public keys, looked up by {@code kid}; required unless HS256 is the only
         * allowed algorithm. Typically {@code JWKSourceBuilder.create(jwksUrl).build()}, which caches
         * and refetches on an unknown {@code kid} (rotation).
         */
        public Builder keySource(JWKSource<SecurityContext> keySource) {
            this.keySource = requireNonNull(keySource, "keySource");
            return this;
        }

        /**
         * The JCA provider that checks ES256/ES384/ES512 and EdDSA signatures, typically a native one
         * (Gatehouse passes Amazon Corretto Crypto Provider where it loads). It is used for each
         * algorithm whose JCA signature it offers ({@code SHA256withECDSA}…, {@code Ed25519}); other
         * algorithms are checked as without it. Only these verifications use it: it is not installed
         * as a JCA provider. Default: the JDK's providers for ECDSA and Tink for EdDSA.
         */
        public Builder signatureProvider(Provider provider) {
            this.signatureProvider = requireNonNull(provider, "provider");
            return this;
        }

        /**
         * Enables HS256 (kid {@value #HS256_KEY_ID} or absent) verified with exactly this shared
         * secret, at least {@value #MIN_HS256_SECRET_BYTES} bytes. The array is copied.
         */
        public Builder hs256Secret(byte[] secret) {
            requireNonNull(secret, "secret");
            if (secret.length < MIN_HS256_SECRET_BYTES) {
                throw new IllegalArgumentException("hs256Secret: " + secret.length + " bytes (expected: >= "
                        + MIN_HS256_SECRET_BYTES + " bytes)");
            }
            hs256Secret = secret.clone();
            return this;
        }

        /**
         * The algorithm allow-list. Default: ES256 and EdDSA (EdDSA only when Tink is on the class
         * path), plus HS256 when an HS256 secret is set. Must not be empty; {@code none} is never
         * allowed; HS256 is the only HMAC algorithm and needs {@link #hs256Secret(byte[])}.
         */
        public Builder algorithms(Set<JWSAlgorithm> algorithms) {
            requireNonNull(algorithms, "algorithms");
            this.algorithms = Collections.unmodifiableSet(new LinkedHashSet<>(algorithms));
            return this;
        }

        /**
         * Required: the token types accepted; others are refused as {@code WRONG_TYPE}. There is no
         * default: a service that forgot this would accept every type, PATs and service tokens included.
         */
        public Builder acceptedTypes(Set<TokenType> types) {
            requireNonNull(types, "types");
            if (types.isEmpty()) {
                throw new IllegalArgumentException("acceptedTypes: [] (expected: at least one)");
            }
            acceptedTypes = EnumSet.copyOf(types);
            return this;
        }

        /**
         * Requires {@code aud} to contain at least one of these. {@link #build()} requires this or
         * {@link #anyAudience()}.
         */
        public Builder audience(String... audiences) {
            requireNonNull(audiences, "audiences");
            return audience(Arrays.asList(audiences));
        }

        /**
         * Requires {@code aud} to contain at least one of these. {@link #build()} requires this or
         * {@link #anyAudience()}.
         */
        public Builder audience(Collection<String> audiences) {
            requireNonNull(audiences, "audiences");
            if (audiences.isEmpty()) {
                throw new IllegalArgumentException("audience: [] (expected: at least one)");
            }
            for (String audience : audiences) {
                if (audience == null || audience.isBlank()) {
                    throw new IllegalArgumentException("audience: " + audiences + " (expected: non-blank values)");
                }
            }
            this.audiences = Set.copyOf(audiences);
            return this;
        }

        /**
         * Accepts tokens whatever their {@code aud}: the explicit opt-out of {@link #audience}, for a
         * service that checks the audience itself (e.g. introspection answering for any token).
         */
        public Builder anyAudience() {
            this.audiences = Set.of();
            return this;
        }

        /** Leeway for {@code exp} and {@code nbf}; default {@code PT30S}, at most {@code PT5M}. */
        public Builder clockSkew(Duration clockSkew) {
            requireNonNull(clockSkew, "clockSkew");
            if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
                throw new IllegalArgumentException(
                        "clockSkew: " + clockSkew + " (expected: PT0S.." + MAX_CLOCK_SKEW + ")");
            }
            this.clockSkew = clockSkew;
            return this;
        }

        /** Longer tokens are refused as {@code TOO_LARGE} before parsing; default {@value #DEFAULT_MAX_TOKEN_LENGTH}. */
        public Builder maxTokenLength(int maxTokenLength) {
            if (maxTokenLength <= 0) {
                throw new IllegalArgumentException("maxTokenLength: " + maxTokenLength + " (expected: > 0)");
            }
            this.maxTokenLength = maxTokenLength;
            return this;
        }

        /** Consulted last, for tokens that passed every other check; default revokes nothing. */
        public Builder revocationCheck(RevocationCheck revocationCheck) {
            this.revocationCheck = requireNonNull(revocationCheck, "revocationCheck");
            return this;
        }

        /** The clock for {@code exp}/{@code nbf}; default the system UTC clock. For tests. */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the verifier.
         *
         * @throws IllegalStateException when the issuer, the accepted types or the audience choice is
         *     not set, or a key source is needed and not set
         * @throws IllegalArgumentException when the algorithm allow-list is empty or not allowed
         */
        public GatehouseTokenVerifier build() {
            if (issuer == null) {
                throw new IllegalStateException("issuer: not set (expected: the exact iss of accepted tokens)");
            }
            if (acceptedTypes == null) {
                throw new IllegalStateException("acceptedTypes: not set (expected: the token types this service"
                        + " accepts, e.g. acceptedTypes(EnumSet.of(TokenType.SANDBOX)))");
            }
            if (audiences == null) {
                throw new IllegalStateException("audience: not set (expected: audience(...) naming this service,"
                        + " or anyAudience() to accept tokens meant for any audience)");
            }
            Set<JWSAlgorithm> allowed = algorithms != null ? algorithms : defaultAlgorithms();
            checkAlgorithms(allowed);
            List<JWSAlgorithm> asymmetric = allowed.stream().filter(ASYMMETRIC::contains).toList();
            if (keySource == null && !asymmetric.isEmpty()) {
                throw new IllegalStateException(
                        "keySource: not set (expected: the trusted public keys for " + asymmetric + ")");
            }
            return new GatehouseTokenVerifier(this, allowed);
        }

        private Set<JWSAlgorithm> defaultAlgorithms() {
            Set<JWSAlgorithm> defaults = new LinkedHashSet<>();
            defaults.add(JWSAlgorithm.ES256);
            if (edDsaAvailable()) {
                defaults.add(JWSAlgorithm.EdDSA);
            }
            if (hs256Secret != null) {
                defaults.add(JWSAlgorithm.HS256);
            }
            return Collections.unmodifiableSet(defaults);
        }

        private void checkAlgorithms(Set<JWSAlgorithm> allowed) {
            if (allowed.isEmpty()) {
                throw new IllegalArgumentException("algorithms: [] (expected: at least one)");
            }
            for (JWSAlgorithm alg : allowed) {
                if (JWSAlgorithm.HS256.equals(alg)) {
                    if (hs256Secret == null) {
                        throw new IllegalArgumentException(
                                "algorithms: " + allowed + " (expected: HS256 only with an hs256Secret)");
                    }
                } else if (!ASYMMETRIC.contains(alg)) {
                    throw new IllegalArgumentException("algorithms: " + allowed + " (expected: only HS256 or "
                            + "asymmetric algorithms, never " + alg + ")");
                } else if (JWSAlgorithm.Family.ED.contains(alg) && !edDsaAvailable()) {
                    throw new IllegalArgumentException("algorithms: " + allowed + " (expected: " + alg
                            + " only with com.google.crypto.tink:tink on the class path or a signatureProvider"
                            + " offering Ed25519)");
                }
            }
        }

        private boolean edDsaAvailable() {
            return ED25519_AVAILABLE || VerifierFactory.offers(signatureProvider, JWSAlgorithm.EdDSA);
        }

        private static Set<JWSAlgorithm> asymmetricAlgorithms() {
            Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
            algorithms.addAll(JWSAlgorithm.Family.RSA);
            algorithms.addAll(JWSAlgorithm.Family.EC);
            algorithms.add(JWSAlgorithm.EdDSA);
            algorithms.add(JWSAlgorithm.Ed25519);
            return Set.copyOf(algorithms);
        }
    }
}
