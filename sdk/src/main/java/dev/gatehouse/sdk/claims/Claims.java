package dev.gatehouse.sdk.claims;

import static dev.gatehouse.sdk.internal.Shown.quote;
import static dev.gatehouse.sdk.internal.Shown.quoteAll;
import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.sdk.verify.RejectionReason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The claims of a verified Gatehouse token, normalized to one shape whatever produced them: a
 * Gatehouse-minted session, PAT, sandbox or service token, or a legacy token carrying {@code org}
 * instead of {@code org_id}. The wire contract is documented in {@code docs/claims.md}.
 *
 * <p>Instances come from a verifier (or {@link #fromJwt(JWTClaimsSet)}); a {@code Claims} says
 * nothing about the signature of the token it was read from. Immutable and thread-safe.
 *
 * <h2>Organization</h2>
 * The organization is read from {@code org_id}, else from the legacy {@code org}, else from the
 * Keycloak 26 {@code organization} claim (string array {@code ["acme"]} or map
 * {@code {"acme": {"id": "..."}}}). {@code org_id} and {@code org} must agree, and when an explicit
 * organization and an {@code organization} claim are both present the latter must contain the
 * former. An {@code organization} claim alone with several entries is ambiguous: {@link
 * #organization()} is then empty and {@link #organizations()} lists them for the caller to choose.
 */
public final class Claims {
    private static final String TYPE_CHOICES = Arrays.stream(TokenType.values())
            .map(TokenType::claimValue)
            .collect(Collectors.joining(", "));

    private final String issuer;
    private final String subject;
    private final TokenType type;
    private final List<String> audience;
    private final Instant issuedAt;
    private final Instant expiresAt;
    private final String tokenId;
    private final String organization;
    private final Set<String> organizations;
    private final String user;
    private final Set<String> groups;
    private final Set<String> capabilities;
    private final List<String> channels;
    private final Optional<Set<String>> allowedModels;
    private final String keyId;

    private Claims(JWTClaimsSet set, TokenType type, String keyId) throws ClaimsException {
        this.type = type;
        this.keyId = keyId;
        issuer = requiredString(set, "iss");
        subject = requiredString(set, "sub");
        issuedAt = requiredInstant(set, "iat");
        expiresAt = requiredInstant(set, "exp");
        tokenId = optionalString(set, "jti");
        if (tokenId == null && type != TokenType.SANDBOX) {
            throw missing("jti: missing (expected: non-empty string; required for " + type.claimValue() + " tokens)");
        }
        audience = audience(set);
        user = optionalString(set, "user");
        groups = Collections.unmodifiableSet(new LinkedHashSet<>(stringList(set, "groups")));
        capabilities = Collections.unmodifiableSet(new LinkedHashSet<>(stringList(set, "capabilities")));
        channels = stringList(set, "channels");
        if (type == TokenType.SANDBOX && channels.isEmpty()) {
            throw missing("channels: " + (set.getClaim("channels") == null ? "missing" : "[]")
                    + " (expected: at least one channel; required for sandbox tokens)");
        }
        if (set.getClaim("allowed_models") == null) {
            allowedModels = Optional.empty();
        } else {
            List<String> models = stringList(set, "allowed_models");
            if (models.isEmpty()) {
                throw missing("allowed_models: [] (expected: at least one model, or no claim for no restriction)");
            }
            allowedModels = Optional.of(Collections.unmodifiableSet(new LinkedHashSet<>(models)));
        }
        String explicit = explicitOrganization(set);
        Set<String> named = keycloakOrganizations(set);
        if (explicit != null) {
            if (named != null && !named.contains(explicit)) {
                String claim = set.getClaim("org_id") != null ? "org_id" : "org";
                throw new ClaimsException(RejectionReason.ORGANIZATION_CONFLICT,
                        claim + ": " + quote(explicit) + " is not among organization " + quoteAll(named));
            }
            organization = explicit;
            organizations = named != null ? named : Set.of(explicit);
        } else if (named != null) {
            organization = named.size() == 1 ? named.iterator().next() : null;
            organizations = named;
        } else {
            organization = null;
            organizations = Set.of();
        }
    }

    /**
     * Reads and checks a claims set against the Gatehouse claims contract.
     *
     * <p>Required: {@code typ} (a known {@link TokenType}), {@code iss}, {@code sub}, {@code iat},
     * {@code exp}; {@code jti} for every type but {@code sandbox}; a non-empty {@code channels}
     * array for {@code sandbox}. Optional claims, when present, must have their documented JSON
     * type. Time claims are not compared with the clock here.
     *
     * @throws ClaimsException with {@link RejectionReason#WRONG_TYPE} when {@code typ} is missing or
     *     unknown, {@link RejectionReason#MISSING_CLAIM} when a claim is missing or has the wrong
     *     JSON type, {@link RejectionReason#ORGANIZATION_CONFLICT} when the organization claims
     *     disagree
     */
    public static Claims fromJwt(JWTClaimsSet set) throws ClaimsException {
        return fromJwt(set, null);
    }

    /**
     * As {@link #fromJwt(JWTClaimsSet)}, for a set read from a signed token whose header named the
     * signing key {@code keyId} ({@code kid}), so that a revocation check can refuse every token a
     * withdrawn key signed.
     *
     * @param keyId the {@code kid} of the JWS header; null when it had none
     */
    public static Claims fromJwt(JWTClaimsSet set, String keyId) throws ClaimsException {
        requireNonNull(set, "set");
        return new Claims(set, typeOf(set), keyId);
    }

    /**
     * A builder for the claims of an identity that did not come from a Gatehouse JWT, for example a
     * Keycloak access token mapped to a session. {@link Builder#build()} applies exactly the rules of
     * {@link #fromJwt(JWTClaimsSet)} (required claims, organization resolution and conflicts), with
     * {@code type} in place of the {@code typ} claim.
     */
    public static Builder builder(TokenType type) {
        return new Builder(requireNonNull(type, "type"));
    }

    /**
     * The token type named by the {@code typ} claim, checked on its own so a verifier can refuse a
     * token of the wrong kind before doing any cryptography.
     *
     * @throws ClaimsException with {@link RejectionReason#WRONG_TYPE} when {@code typ} is missing,
     *     not a string or not one of {@code session}, {@code pat}, {@code sandbox}, {@code service}
     */
    public static TokenType typeOf(JWTClaimsSet set) throws ClaimsException {
        requireNonNull(set, "set");
        Object value = set.getClaim("typ");
        if (value instanceof String s) {
            Optional<TokenType> type = TokenType.fromClaimValue(s);
            if (type.isPresent()) {
                return type.get();
            }
        }
        throw new ClaimsException(RejectionReason.WRONG_TYPE,
                "typ: " + describe(value) + " (expected one of: " + TYPE_CHOICES + ")");
    }

    /** The {@code iss} claim: who issued the token. */
    public String issuer() {
        return issuer;
    }

    /** The {@code sub} claim: the user, sandbox or service the token speaks for. */
    public String subject() {
        return subject;
    }

    /** The {@code typ} claim. */
    public TokenType type() {
        return type;
    }

    /** The {@code aud} claim as a list (a single string becomes a one-element list); empty if absent. */
    public List<String> audience() {
        return audience;
    }

    /** The {@code iat} claim. */
    public Instant issuedAt() {
        return issuedAt;
    }

    /** The {@code exp} claim. */
    public Instant expiresAt() {
        return expiresAt;
    }

    /** The {@code jti} claim; always present except on legacy sandbox tokens. */
    public Optional<String> tokenId() {
        return Optional.ofNullable(tokenId);
    }

    /**
     * The {@code kid} of the key that signed the token, when these claims were read from a signed
     * token by a verifier ({@link #fromJwt(JWTClaimsSet, String)}); not a claim.
     */
    public Optional<String> keyId() {
        return Optional.ofNullable(keyId);
    }

    /**
     * The organization the token is scoped to; empty when the token names none, or names several
     * only through the {@code organization} claim (see {@link #organizations()}).
     */
    public Optional<String> organization() {
        return Optional.ofNullable(organization);
    }

    /**
     * Every organization the token names: the entries of the Keycloak {@code organization} claim
     * when present, otherwise the explicit {@code org_id}/{@code org} alone; empty if none.
     */
    public Set<String> organizations() {
        return organizations;
    }

    /** The {@code user} claim: the user a sandbox or service token acts for. */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /** The {@code groups} claim, in token order without duplicates; empty if absent. */
    public Set<String> groups() {
        return groups;
    }

    /** The {@code capabilities} claim, in token order without duplicates; empty if absent. */
    public Set<String> capabilities() {
        return capabilities;
    }

    /** The {@code channels} claim: the LLM channels a sandbox token may use; empty if absent. */
    public List<String> channels() {
        return channels;
    }

    /**
     * The {@code allowed_models} claim: the only models the token may ask the LLM gateway for; empty
     * when the token names none (no restriction by model). A claim naming no model is refused.
     */
    public Optional<Set<String>> allowedModels() {
        return allowedModels;
    }

    /** Whether {@link #capabilities()} contains {@code capability} exactly. */
    public boolean hasCapability(String capability) {
        return capabilities.contains(requireNonNull(capability, "capability"));
    }

    /** Whether {@link #groups()} contains {@code group} exactly. */
    public boolean hasGroup(String group) {
        return groups.contains(requireNonNull(group, "group"));
    }

    @Override
    public String toString() {
        return "Claims[typ=" + type.claimValue() + ", iss=" + issuer + ", sub=" + subject
                + ", org=" + organization + ", jti=" + tokenId + ", exp=" + expiresAt + "]";
    }

    private static String explicitOrganization(JWTClaimsSet set) throws ClaimsException {
        String orgId = optionalString(set, "org_id");
        String legacy = optionalString(set, "org");
        if (orgId != null && legacy != null && !orgId.equals(legacy)) {
            throw new ClaimsException(RejectionReason.ORGANIZATION_CONFLICT,
                    "org_id: " + quote(orgId) + " and legacy org: " + quote(legacy) + " disagree");
        }
        return orgId != null ? orgId : legacy;
    }

    /** The Keycloak {@code organization} claim's names, or null when the claim is absent. */
    private static Set<String> keycloakOrganizations(JWTClaimsSet set) throws ClaimsException {
        Object value = set.getClaim("organization");
        if (value == null) {
            return null;
        }
        if (value instanceof Map<?, ?> map) {
            Set<String> names = new LinkedHashSet<>();
            for (Object key : map.keySet()) {
                names.add(nonEmpty("organization", key));
            }
            return Collections.unmodifiableSet(names);
        }
        if (value instanceof List<?>) {
            return Collections.unmodifiableSet(new LinkedHashSet<>(stringList(set, "organization")));
        }
        throw missing("organization: " + describe(value) + " (expected: string array or object)");
    }

    private static List<String> audience(JWTClaimsSet set) throws ClaimsException {
        Object value = set.getClaim("aud");
        if (value instanceof String s) {
            return List.of(nonEmpty("aud", s));
        }
        if (value == null || value instanceof List<?>) {
            return stringList(set, "aud");
        }
        throw missing("aud: " + describe(value) + " (expected: string or string array)");
    }

    private static List<String> stringList(JWTClaimsSet set, String claim) throws ClaimsException {
        Object value = set.getClaim(claim);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw missing(claim + ": " + describe(value) + " (expected: string array)");
        }
        List<String> strings = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            strings.add(nonEmpty(claim + "[" + i + "]", list.get(i)));
        }
        return List.copyOf(strings);
    }

    private static String requiredString(JWTClaimsSet set, String claim) throws ClaimsException {
        return nonEmpty(claim, set.getClaim(claim));
    }

    private static String optionalString(JWTClaimsSet set, String claim) throws ClaimsException {
        Object value = set.getClaim(claim);
        return value == null ? null : nonEmpty(claim, value);
    }

    private static String nonEmpty(String name, Object value) throws ClaimsException {
        if (value instanceof String s && !s.isEmpty()) {
            return s;
        }
        throw missing(name + ": " + describe(value) + " (expected: non-empty string)");
    }

    private static Instant requiredInstant(JWTClaimsSet set, String claim) throws ClaimsException {
        Object value = set.getClaim(claim);
        if (value instanceof Date date) {
            return date.toInstant();
        }
        if (value instanceof Number seconds) {
            return Instant.ofEpochSecond(seconds.longValue());
        }
        throw missing(claim + ": " + describe(value) + " (expected: NumericDate, seconds since the epoch)");
    }

    private static ClaimsException missing(String message) {
        return new ClaimsException(RejectionReason.MISSING_CLAIM, message);
    }

    /** A short, safe rendering of a JSON value for a message: its type and a truncated value. */
    private static String describe(Object value) {
        if (value == null) {
            return "missing";
        }
        if (value instanceof String s) {
            return quote(s);
        }
        if (value instanceof Number || value instanceof Boolean) {
            return (value instanceof Boolean ? "boolean " : "number ") + value;
        }
        if (value instanceof List<?>) {
            return "array";
        }
        if (value instanceof Map<?, ?>) {
            return "object";
        }
        return value.getClass().getSimpleName();
    }

    /**
     * Assembles {@link Claims} from values rather than a JWT. Every setter accepts {@code null} as
     * "absent"; {@link #build()} refuses what {@link Claims#fromJwt} would refuse. Not thread-safe.
     */
    public static final class Builder {
        private final TokenType type;
        private final JWTClaimsSet.Builder set = new JWTClaimsSet.Builder();

        private Builder(TokenType type) {
            this.type = type;
        }

        /** Required: {@code iss}. */
        public Builder issuer(String issuer) {
            set.issuer(issuer);
            return this;
        }

        /** Required: {@code sub}. */
        public Builder subject(String subject) {
            set.subject(subject);
            return this;
        }

        /** {@code aud}; empty or null means none. */
        public Builder audience(List<String> audience) {
            set.audience(audience == null || audience.isEmpty() ? null : List.copyOf(audience));
            return this;
        }

        /** Required: {@code iat}. */
        public Builder issuedAt(Instant issuedAt) {
            set.issueTime(issuedAt == null ? null : Date.from(issuedAt));
            return this;
        }

        /** Required: {@code exp}. */
        public Builder expiresAt(Instant expiresAt) {
            set.expirationTime(expiresAt == null ? null : Date.from(expiresAt));
            return this;
        }

        /** {@code jti}; required for every type but {@code sandbox}. */
        public Builder tokenId(String tokenId) {
            set.jwtID(tokenId);
            return this;
        }

        /** {@code user}. */
        public Builder user(String user) {
            set.claim("user", user);
            return this;
        }

        /** {@code groups}; order kept, duplicates dropped. */
        public Builder groups(Collection<String> groups) {
            set.claim("groups", groups == null ? null : new ArrayList<>(groups));
            return this;
        }

        /** {@code capabilities}; order kept, duplicates dropped. */
        public Builder capabilities(Collection<String> capabilities) {
            set.claim("capabilities", capabilities == null ? null : new ArrayList<>(capabilities));
            return this;
        }

        /** {@code allowed_models}; when set, non-empty. */
        public Builder allowedModels(Collection<String> models) {
            set.claim("allowed_models", models == null ? null : new ArrayList<>(models));
            return this;
        }

        /** {@code channels}; required and non-empty for {@code sandbox}. */
        public Builder channels(Collection<String> channels) {
            set.claim("channels", channels == null ? null : new ArrayList<>(channels));
            return this;
        }

        /**
         * Copies the organization claims {@code org_id}, legacy {@code org} and Keycloak
         * {@code organization} from {@code source} as they are, so that {@link #build()} resolves
         * and checks them exactly as for a Gatehouse token (a malformed or conflicting claim is refused).
         */
        public Builder organizationClaimsFrom(JWTClaimsSet source) {
            requireNonNull(source, "source");
            for (String claim : List.of("org_id", "org", "organization")) {
                set.claim(claim, source.getClaim(claim));
            }
            return this;
        }

        /**
         * The claims, checked against the contract.
         *
         * @throws ClaimsException as {@link Claims#fromJwt} for the same claims
         */
        public Claims build() throws ClaimsException {
            return new Claims(set.build(), type, null);
        }
    }
}
