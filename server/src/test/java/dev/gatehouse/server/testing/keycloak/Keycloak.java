package dev.gatehouse.server.testing.keycloak;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.server.identity.Topology;
import dev.gatehouse.server.keycloak.RealmParameters;
import dev.gatehouse.server.keycloak.RealmTemplates;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A running Keycloak started by {@link KeycloakExtension}, with plain-HTTP helpers for the
 * token endpoints and the admin REST API. One per test JVM, shared by every test class: create
 * your own users and clients (unique names) rather than changing the shared realms' settings.
 *
 * <p>Realms imported at start-up from the project's templates: {@link KeycloakExtension#ACME} and
 * {@link KeycloakExtension#GLOBEX} (shared-sovereign) and {@link KeycloakExtension#PER_ORGANIZATION}
 * (per-organization). Users need an {@code org} attribute for an {@code org_id} claim; the realm's
 * user profile declares only {@code org} besides Keycloak's own attributes, other attributes are
 * dropped unless declared.
 *
 * <p>Thread-safe. Every failing request throws {@link KeycloakRequestException}.
 */
public final class Keycloak implements AutoCloseable {
    static final String ADMIN_USER = "admin";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final URI baseUrl;
    private final String adminPassword;
    private final Path logFile;
    private final Process process;
    private final Thread shutdownHook;
    private final Path pidFile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile Duration startTime = Duration.ZERO;
    private String adminToken;
    private Instant adminTokenExpiry = Instant.MIN;

    Keycloak(URI baseUrl, String adminPassword, Path logFile, Process process, Thread shutdownHook, Path pidFile) {
        this.baseUrl = baseUrl;
        this.adminPassword = adminPassword;
        this.logFile = logFile;
        this.process = process;
        this.shutdownHook = shutdownHook;
        this.pidFile = pidFile;
    }

    /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
    public URI baseUrl() {
        return baseUrl;
    }

    /** The {@code iss} of {@code realm}'s tokens: {@code <baseUrl>/realms/<realm>}. */
    public String issuer(String realm) {
        return baseUrl + "/realms/" + realm;
    }

    /** How long start-up took, until ready with every realm imported. */
    public Duration startTime() {
        return startTime;
    }

    /** Keycloak's output of this run. */
    public Path logFile() {
        return logFile;
    }

    // ---- token endpoints -------------------------------------------------------------------

    /** The access token of a password grant ({@code scope=openid}); the client needs direct access grants. */
    public String passwordGrant(String realm, String clientId, String clientSecretOrNull, String user, String password) {
        return passwordGrantAll(realm, clientId, clientSecretOrNull, user, password).accessToken();
    }

    /** Access, ID and refresh token of a password grant ({@code scope=openid}). */
    public Tokens passwordGrantAll(String realm, String clientId, String clientSecretOrNull, String user, String password) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", clientId);
        if (clientSecretOrNull != null) {
            form.put("client_secret", clientSecretOrNull);
        }
        form.put("username", user);
        form.put("password", password);
        form.put("scope", "openid");
        return tokens(realm, form);
    }

    /** The access token of a client-credentials grant; the client needs service accounts enabled. */
    public String clientCredentials(String realm, String clientId, String secret) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("client_id", clientId);
        form.put("client_secret", secret);
        return tokens(realm, form).accessToken();
    }

    /** {@code realm}'s token endpoint URL, for callers (benchmarks) that drive it themselves. */
    public URI tokenEndpoint(String realm) {
        return URI.create(issuer(realm) + "/protocol/openid-connect/token");
    }

    /** {@code realm}'s authorization endpoint URL, where a browser starts the authorization code flow. */
    public URI authorizationEndpoint(String realm) {
        return URI.create(issuer(realm) + "/protocol/openid-connect/auth");
    }

    /**
     * {@code realm}'s token revocation endpoint URL (RFC 7009). A public client revokes its own
     * tokens there with {@code client_id}, {@code token} and {@code token_type_hint}; revoking a
     * refresh token detaches the client from the user's sessions (see {@link #createPkceClient}).
     */
    public URI revocationEndpoint(String realm) {
        return URI.create(issuer(realm) + "/protocol/openid-connect/revoke");
    }

    /** The userinfo response (JSON) for {@code accessToken}. */
    public String userinfo(String realm, String accessToken) {
        HttpRequest request = request(URI.create(issuer(realm) + "/protocol/openid-connect/userinfo"))
                .header("Authorization", "Bearer " + accessToken).GET().build();
        return send("userinfo " + realm, request, 200);
    }

    /** The payload of a JWT, decoded but NOT verified: for assertions on tokens Keycloak just issued. */
    public static JsonNode payload(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a JWS compact serialization (" + parts.length + " parts)");
        }
        return parse(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    }

    // ---- admin REST API --------------------------------------------------------------------

    /** Renders {@code topology}'s template for {@code organization} (realm name = organization) and creates the realm. */
    public void createRealmFromTemplate(Topology topology, String organization) {
        createRealm(RealmParameters.of(topology, organization));
    }

    /** Renders the template with {@code parameters} and creates the realm ({@code POST /admin/realms}). */
    public void createRealm(RealmParameters parameters) {
        admin("POST", "/admin/realms", RealmTemplates.render(parameters), 201);
    }

    /**
     * Creates an enabled user with a non-temporary password, a verified e-mail
     * {@code <username>@<realm>.test} and a name (so no required action blocks a password grant).
     *
     * @param attributes values are a {@code String} or a {@code List<String>}, e.g. {@code Map.of("org", "acme")}
     * @return the user's id
     */
    public String createUser(String realm, String username, String password, Map<String, ?> attributes) {
        ObjectNode user = JSON.createObjectNode()
                .put("username", username).put("enabled", true)
                .put("email", username + "@" + realm + ".test").put("emailVerified", true)
                .put("firstName", username).put("lastName", realm);
        ObjectNode attrs = user.putObject("attributes");
        attributes.forEach((name, value) -> {
            ArrayNode values = attrs.putArray(name);
            if (value instanceof List<?> list) {
                list.forEach(v -> values.add(String.valueOf(v)));
            } else {
                values.add(String.valueOf(value));
            }
        });
        user.putArray("credentials").addObject().put("type", "password").put("value", password).put("temporary", false);
        return idFromLocation(admin("POST", "/admin/realms/" + realm + "/users", user.toString(), 201));
    }

    /** Creates a client from its JSON representation; returns the client's internal id (not its clientId). */
    public String createClient(String realm, String clientJson) {
        return idFromLocation(admin("POST", "/admin/realms/" + realm + "/clients", clientJson, 201));
    }

    /**
     * A test client with direct access grants (password grant); confidential with service accounts
     * (client credentials) when {@code secretOrNull} is given, public otherwise.
     *
     * @return the client's internal id
     */
    public String createTestClient(String realm, String clientId, String secretOrNull) {
        ObjectNode client = JSON.createObjectNode().put("clientId", clientId).put("enabled", true)
                .put("protocol", "openid-connect").put("directAccessGrantsEnabled", true)
                .put("standardFlowEnabled", false).put("publicClient", secretOrNull == null)
                .put("serviceAccountsEnabled", secretOrNull != null);
        if (secretOrNull != null) {
            client.put("clientAuthenticatorType", "client-secret").put("secret", secretOrNull);
        }
        return createClient(realm, client.toString());
    }

    /**
     * A public client for the authorization code flow with PKCE, as a provider's authorization
     * server would register a third-party application: standard flow only (no implicit flow, no
     * password grant, no service account), exactly one redirect URI (Keycloak compares it exactly),
     * PKCE required with {@code S256} ({@code plain} and a missing challenge are refused), no
     * consent screen, and refresh tokens issued ({@code use.refresh.tokens}, Keycloak's default,
     * set explicitly). Refresh tokens follow the realm: the shared-sovereign template rotates them
     * on every refresh and refuses a reused one ({@code revokeRefreshToken}, max reuse 0). Drive
     * its login with {@link BrowserLogin}.
     *
     * @param redirectUri absolute, e.g. {@code http://127.0.0.1:1/callback}; nothing needs to listen there
     * @return the client's internal id
     */
    public String createPkceClient(String realm, String clientId, String redirectUri) {
        requireNonNull(redirectUri, "redirectUri");
        ObjectNode client = JSON.createObjectNode().put("clientId", clientId).put("enabled", true)
                .put("protocol", "openid-connect").put("publicClient", true)
                .put("standardFlowEnabled", true).put("implicitFlowEnabled", false)
                .put("directAccessGrantsEnabled", false).put("serviceAccountsEnabled", false)
                .put("consentRequired", false);
        client.putArray("redirectUris").add(redirectUri);
        client.putObject("attributes").put("pkce.code.challenge.method", "S256").put("use.refresh.tokens", "true");
        return createClient(realm, client.toString());
    }

    /** Adds a protocol mapper ({@code ProtocolMapperRepresentation} JSON) to the client {@code clientId}. */
    public void addProtocolMapper(String realm, String clientId, String mapperJson) {
        admin("POST", "/admin/realms/" + realm + "/clients/" + clientUuid(realm, clientId)
                + "/protocol-mappers/models", mapperJson, 201);
    }

    /** Gives the user the realm role, creating the role first if the realm has none of that name. */
    public void assignRealmRole(String realm, String username, String role) {
        String rolePath = "/admin/realms/" + realm + "/roles";
        JsonNode existing = parse(admin("GET", rolePath + "?search=" + encode(role), null, 200));
        if (!containsName(existing, role)) {
            admin("POST", rolePath, JSON.createObjectNode().put("name", role).toString(), 201);
        }
        JsonNode representation = parse(admin("GET", rolePath + "/" + encode(role), null, 200));
        admin("POST", "/admin/realms/" + realm + "/users/" + userId(realm, username) + "/role-mappings/realm",
                JSON.createArrayNode().add(representation).toString(), 204);
    }

    /** Gives the user a role of client {@code clientId}, creating the role first if needed. */
    public void assignClientRole(String realm, String username, String clientId, String role) {
        String client = clientUuid(realm, clientId);
        String rolePath = "/admin/realms/" + realm + "/clients/" + client + "/roles";
        if (!containsName(parse(admin("GET", rolePath, null, 200)), role)) {
            admin("POST", rolePath, JSON.createObjectNode().put("name", role).toString(), 201);
        }
        JsonNode representation = parse(admin("GET", rolePath + "/" + encode(role), null, 200));
        admin("POST", "/admin/realms/" + realm + "/users/" + userId(realm, username) + "/role-mappings/clients/"
                + client, JSON.createArrayNode().add(representation).toString(), 204);
    }

    /** Adds the user to the top-level group {@code group}, creating the group first if needed. */
    public void addUserToGroup(String realm, String username, String group) {
        String groupsPath = "/admin/realms/" + realm + "/groups";
        JsonNode found = parse(admin("GET", groupsPath + "?exact=true&search=" + encode(group), null, 200));
        String groupId = found.isArray() && containsName(found, group)
                ? byName(found, group).path("id").asText()
                : idFromLocation(admin("POST", groupsPath, JSON.createObjectNode().put("name", group).toString(), 201));
        admin("PUT", "/admin/realms/" + realm + "/users/" + userId(realm, username) + "/groups/" + groupId, null, 204);
    }

    /** The names of {@code realm}'s default default client scopes (what every new client gets). */
    public List<String> defaultClientScopes(String realm) {
        JsonNode scopes = parse(admin("GET", "/admin/realms/" + realm + "/default-default-client-scopes", null, 200));
        return names(scopes);
    }

    /** The names of the default client scopes of the client {@code clientId}. */
    public List<String> clientDefaultScopes(String realm, String clientId) {
        return names(parse(admin("GET", "/admin/realms/" + realm + "/clients/" + clientUuid(realm, clientId)
                + "/default-client-scopes", null, 200)));
    }

    /**
     * Any admin REST call, authenticated as the bootstrap admin.
     *
     * @param path           from the root, e.g. {@code /admin/realms/acme/users}
     * @param jsonBodyOrNull request body
     * @param expectedStatus anything else throws {@link KeycloakRequestException}
     * @return the response; for 201 the {@code Location} header, otherwise the body
     */
    public String admin(String method, String path, String jsonBodyOrNull, int expectedStatus) {
        HttpRequest.Builder builder = request(URI.create(baseUrl + path))
                .header("Authorization", "Bearer " + adminToken())
                .method(method, jsonBodyOrNull == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(jsonBodyOrNull));
        if (jsonBodyOrNull != null) {
            builder.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = exchange(method + " " + path, builder.build());
        if (response.statusCode() != expectedStatus) {
            throw new KeycloakRequestException(method + " " + path, response.statusCode(), response.body());
        }
        return expectedStatus == 201 ? response.headers().firstValue("Location").orElse("") : response.body();
    }

    // ---- lifecycle -------------------------------------------------------------------------

    /** Stops Keycloak (idempotent). The extension does this at the end of the test run. */
    public void stop() {
        if (!process.isAlive()) {
            return;
        }
        long begin = System.nanoTime();
        KeycloakLauncher.destroy(process);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down; the hook runs (or ran) anyway.
        }
        try {
            Files.deleteIfExists(pidFile);
            Files.writeString(logFile, "gatehouse test harness: Keycloak stopped in "
                    + Duration.ofNanos(System.nanoTime() - begin).toMillis() + " ms\n",
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            // Best effort only.
        }
    }

    @Override
    public void close() {
        stop();
    }

    void startTime(Duration value) {
        startTime = value;
    }

    /** Fails with the log tail unless the realm's discovery document is served. */
    void requireRealm(String realm) {
        HttpRequest request = request(URI.create(issuer(realm) + "/.well-known/openid-configuration")).GET().build();
        HttpResponse<String> response = exchange("discovery " + realm, request);
        if (response.statusCode() != 200) {
            throw KeycloakLauncher.failure("started but realm " + realm + " was not imported (discovery: HTTP "
                    + response.statusCode() + ")", logFile);
        }
    }

    // ---- internals -------------------------------------------------------------------------

    private synchronized String adminToken() {
        if (Instant.now().isBefore(adminTokenExpiry)) {
            return adminToken;
        }
        Map<String, String> form = Map.of("grant_type", "password", "client_id", "admin-cli",
                "username", ADMIN_USER, "password", adminPassword);
        JsonNode response = parse(send("admin token", request(tokenEndpoint("master"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(form))).build(), 200));
        adminToken = response.path("access_token").asText();
        adminTokenExpiry = Instant.now().plusSeconds(Math.max(5, response.path("expires_in").asLong(60) - 15));
        return adminToken;
    }

    private Tokens tokens(String realm, Map<String, String> form) {
        HttpRequest request = request(tokenEndpoint(realm))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(form))).build();
        JsonNode body = parse(send(form.get("grant_type") + " grant " + realm + "/" + form.get("client_id"), request, 200));
        return new Tokens(body.path("access_token").asText(), text(body, "id_token"), text(body, "refresh_token"));
    }

    private String clientUuid(String realm, String clientId) {
        JsonNode clients = parse(admin("GET", "/admin/realms/" + realm + "/clients?clientId=" + encode(clientId), null, 200));
        if (clients.isEmpty()) {
            throw new KeycloakRequestException("client " + clientId + " in realm " + realm, 404, "no such client");
        }
        return clients.get(0).path("id").asText();
    }

    private String userId(String realm, String username) {
        JsonNode users = parse(admin("GET", "/admin/realms/" + realm + "/users?exact=true&username="
                + encode(username), null, 200));
        if (users.isEmpty()) {
            throw new KeycloakRequestException("user " + username + " in realm " + realm, 404, "no such user");
        }
        return users.get(0).path("id").asText();
    }

    private HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT);
    }

    private String send(String what, HttpRequest request, int expectedStatus) {
        HttpResponse<String> response = exchange(what, request);
        if (response.statusCode() != expectedStatus) {
            throw new KeycloakRequestException(what, response.statusCode(), response.body());
        }
        return response.body();
    }

    private HttpResponse<String> exchange(String what, HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(what + ": " + e + (process.isAlive() ? ""
                    : "; Keycloak has exited, last lines of " + logFile + ":\n" + KeycloakLauncher.logTail(logFile)), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + ": interrupted", e);
        }
    }

    private static String idFromLocation(String location) {
        requireNonNull(location, "location");
        return location.substring(location.lastIndexOf('/') + 1);
    }

    private static boolean containsName(JsonNode array, String name) {
        return byName(array, name) != null;
    }

    private static JsonNode byName(JsonNode array, String name) {
        for (JsonNode node : array) {
            if (name.equals(node.path("name").asText())) {
                return node;
            }
        }
        return null;
    }

    private static List<String> names(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false)
                .map(node -> node.path("name").asText()).toList();
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Keycloak answered with invalid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
