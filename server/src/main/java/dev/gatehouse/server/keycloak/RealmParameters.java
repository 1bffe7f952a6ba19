package dev.gatehouse.server.keycloak;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.identity.Topology;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/**
 * What a realm template is rendered with. Immutable; every value is validated here, so a rendered
 * realm is always valid JSON and never carries a {@code ${...}} that Keycloak's import would
 * resolve from its own environment.
 *
 * @param topology     which template
 * @param organization the organization id; the value users carry in their {@code org} attribute
 * @param realm        the realm name; equal to {@code organization} in shared-sovereign mode
 * @param displayName  shown on Keycloak's login page
 * @param redirectUri  the redirect URI (a trailing {@code *} is a wildcard) of the {@code gatehouse}
 *                     sign-in client
 */
public record RealmParameters(
        Topology topology, String organization, String realm, String displayName, String redirectUri) {

    /** A safe realm name and organization id: lower case, digits and '-', at most 63 characters. */
    public static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /** Gatehouse's default listen address, so a laptop set-up works without options. */
    public static final String DEFAULT_REDIRECT_URI = "http://127.0.0.1:8080/*";

    private static final int MAX_DISPLAY_NAME = 255;

    public RealmParameters {
        requireNonNull(topology, "topology");
        requireNonNull(organization, "organization");
        requireNonNull(realm, "realm");
        requireNonNull(displayName, "displayName");
        requireNonNull(redirectUri, "redirectUri");
        requireId("organization", organization);
        requireId("realm", realm);
        if (topology == Topology.SHARED_SOVEREIGN && !realm.equals(organization)) {
            throw new IllegalArgumentException("realm: \"" + realm
                    + "\" (expected: the organization id \"" + organization + "\" in shared-sovereign mode)");
        }
        requireDisplayName(displayName);
        requireRedirectUri(redirectUri);
    }

    /** Defaults: realm and display name are the organization id, redirect URI {@value #DEFAULT_REDIRECT_URI}. */
    public static RealmParameters of(Topology topology, String organization) {
        return new RealmParameters(topology, organization, organization, organization, DEFAULT_REDIRECT_URI);
    }

    public RealmParameters withRealm(String newRealm) {
        return new RealmParameters(topology, organization, newRealm, displayName, redirectUri);
    }

    public RealmParameters withDisplayName(String newDisplayName) {
        return new RealmParameters(topology, organization, realm, newDisplayName, redirectUri);
    }

    public RealmParameters withRedirectUri(String newRedirectUri) {
        return new RealmParameters(topology, organization, realm, displayName, newRedirectUri);
    }

    private static void requireId(String name, String value) {
        if (!ID.matcher(value).matches()) {
            throw new IllegalArgumentException(name + ": \"" + printable(value) + "\" (expected: " + ID.pattern()
                    + ", a safe realm name: lower-case letters, digits and '-', at most 63 characters)");
        }
    }

    private static void requireDisplayName(String value) {
        if (value.isBlank() || value.length() > MAX_DISPLAY_NAME
                || value.chars().anyMatch(Character::isISOControl) || value.contains("${")) {
            throw new IllegalArgumentException("displayName: \"" + printable(value)
                    + "\" (expected: 1.." + MAX_DISPLAY_NAME + " characters, no control characters, no \"${\")");
        }
    }

    private static void requireRedirectUri(String value) {
        String expected = " (expected: an absolute http or https URI, optionally ending in *)";
        if (value.contains("${") || value.chars().anyMatch(c -> c <= ' ' || c == '"' || c == '\\')) {
            throw new IllegalArgumentException("redirectUri: \"" + printable(value) + "\"" + expected);
        }
        try {
            URI uri = new URI(value.endsWith("*") ? value.substring(0, value.length() - 1) : value);
            boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
            if (!http || uri.getHost() == null) {
                throw new IllegalArgumentException("redirectUri: \"" + value + "\"" + expected);
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("redirectUri: \"" + value + "\"" + expected, e);
        }
    }

    /** Operator input is echoed in messages; control characters are not. */
    private static String printable(String value) {
        StringBuilder out = new StringBuilder();
        value.codePoints().limit(80).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return value.length() > 80 ? out + "…" : out.toString();
    }
}
