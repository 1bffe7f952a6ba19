package dev.gatehouse.server.testing.keycloak;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.CookieHandler;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A browser without JavaScript for Keycloak's login pages: it follows the authorization code flow
 * from the authorization URL to the redirect back to the client, over plain HTTP. One instance is
 * one browser, with its own cookies (so its own Keycloak SSO session); redirects are followed by
 * hand and only while they stay on Keycloak's origin. Like a browser, it treats {@code http://} on a
 * loopback address as a secure context: Keycloak marks its cookies {@code Secure} even there, and
 * would otherwise answer the login form with "Restart login cookie not found".
 *
 * <pre>{@code
 * BrowserLogin browser = new BrowserLogin();
 * URI callback = browser.authorize(authorizeUrl, "alice", password);   // login form submitted
 * URI again = browser.authorize(otherAuthorizeUrl, "alice", password); // SSO cookie: no form
 * }</pre>
 *
 * <p>Keycloak's consent page (for a client with {@code consentRequired}) stops it, unless the browser
 * is {@link #grantingConsent()}: then it accepts, like a user pressing "Yes".
 *
 * <p>Not thread-safe: a browser is driven by one test at a time.
 */
public final class BrowserLogin {
    private static final int MAX_REDIRECTS = 10;
    private static final int SNIPPET_CHARS = 400;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern LOGIN_FORM = Pattern.compile(
            "<form\\b([^>]*\\bid=\"kc-form-login\"[^>]*)>(.*?)</form>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    /** Keycloak's consent form (login-oauth-grant.ftl): a hidden {@code code} and an {@code accept} button. */
    private static final Pattern CONSENT_FORM = Pattern.compile(
            "<form\\b([^>]*\\baction=\"[^\"]*/login-actions/consent[^\"]*\"[^>]*)>(.*?)</form>",
            Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    private static final Pattern INPUT = Pattern.compile("<input\\b([^>]*)>", Pattern.CASE_INSENSITIVE);
    private static final Pattern ATTRIBUTE = Pattern.compile("([a-zA-Z_:-]+)\\s*=\\s*\"([^\"]*)\"");
    private static final Pattern TITLE = Pattern.compile("<title>(.*?)</title>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    /** Where Keycloak's themes put the message of a refused login or an error page, most specific first. */
    private static final Pattern MESSAGE = Pattern.compile(
            "<(?:span|div|p)\\b[^>]*(?:id=\"input-error[^\"]*\"|id=\"kc-error-message\"|class=\"[^\"]*kc-feedback-text[^\"]*\")"
                    + "[^>]*>(.*?)</(?:span|div|p)>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    private static final Pattern INVISIBLE = Pattern.compile(
            "<(head|script|style)\\b.*?</\\1>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    private static final Pattern TAG = Pattern.compile("<[^>]*>");
    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);");

    private final HttpClient http = HttpClient.newBuilder()
            .cookieHandler(new LoopbackIsSecure())
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final boolean grantConsent;
    private int loginFormsSubmitted;

    /** A new browser with no cookies; it does not answer consent pages. */
    public BrowserLogin() {
        this(false);
    }

    private BrowserLogin(boolean grantConsent) {
        this.grantConsent = grantConsent;
    }

    /** A new browser with no cookies that grants consent when Keycloak asks for it. */
    public static BrowserLogin grantingConsent() {
        return new BrowserLogin(true);
    }

    /**
     * Opens {@code authorizeUrl}, signs in with the login form if Keycloak shows one (not when this
     * browser's SSO session is still valid), and returns where Keycloak then sends the browser
     * outside itself: the client's {@code redirect_uri} with {@code code}, {@code state} (and
     * {@code session_state}, {@code iss}), or with {@code error} and {@code error_description}.
     * That URL is NOT requested.
     *
     * <p>A redirect leaves Keycloak when it starts with the authorization URL's {@code redirect_uri}
     * or goes to another origin (scheme, host, port).
     *
     * @param authorizeUrl the authorization endpoint with its query ({@code response_type},
     *                     {@code client_id}, {@code redirect_uri}, PKCE parameters, ...)
     * @return the absolute {@code Location} of the redirect out of Keycloak
     * @throws IllegalStateException when Keycloak answers with anything else: an error page, a
     *                               login form that does not accept the credentials (the message
     *                               says why, e.g. {@code Invalid username or password.}), a
     *                               required action, too many redirects
     */
    public URI authorize(URI authorizeUrl, String username, String password) {
        requireNonNull(authorizeUrl, "authorizeUrl");
        requireNonNull(username, "username");
        requireNonNull(password, "password");
        if (!authorizeUrl.isAbsolute()) {
            throw new IllegalArgumentException("authorizeUrl: " + authorizeUrl + " (expected: absolute URL)");
        }
        String redirectUri = queryParameter(authorizeUrl, "redirect_uri");
        Step opened = consentIfAsked(authorizeUrl, redirectUri, follow(authorizeUrl, redirectUri, send(get(authorizeUrl))));
        if (opened.exit() != null) {
            return opened.exit();
        }
        LoginForm form = LoginForm.parse(opened.page());
        form.fields().put("username", username);
        form.fields().put("password", password);
        HttpResponse<String> submitted = send(HttpRequest.newBuilder(form.action()).timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(encodeForm(form.fields()))).build());
        loginFormsSubmitted++;
        Step signedIn = consentIfAsked(authorizeUrl, redirectUri, follow(authorizeUrl, redirectUri, submitted));
        if (signedIn.exit() != null) {
            return signedIn.exit();
        }
        throw new IllegalStateException("signing in as " + username + " did not lead back to the client: "
                + describe(signedIn.page()));
    }

    /** How many times this browser has submitted a login form: unchanged by an {@code authorize} that the SSO session answered. */
    public int loginFormsSubmitted() {
        return loginFormsSubmitted;
    }

    // ---- internals -------------------------------------------------------------------------

    /**
     * Cookies as a browser keeps them, with {@code http://} loopback URLs (127.x, ::1, localhost)
     * counted as secure, as browsers do: {@link CookieManager} alone never sends a {@code Secure}
     * cookie over {@code http}. The store ignores the scheme, so nothing else changes.
     */
    private static final class LoopbackIsSecure extends CookieHandler {
        private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);

        @Override
        public Map<String, List<String>> get(URI uri, Map<String, List<String>> requestHeaders) throws IOException {
            return cookies.get(secureContext(uri), requestHeaders);
        }

        @Override
        public void put(URI uri, Map<String, List<String>> responseHeaders) throws IOException {
            cookies.put(secureContext(uri), responseHeaders);
        }

        private static URI secureContext(URI uri) {
            String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
            boolean loopback = host.startsWith("127.") || host.equals("[::1]") || host.equals("::1")
                    || host.equals("localhost") || host.endsWith(".localhost");
            if (!loopback || !"http".equals(scheme(uri))) {
                return uri;
            }
            return URI.create("https" + uri.toString().substring(uri.getScheme().length()));
        }
    }

    /** When granting consent and {@code step} stopped at Keycloak's consent page: accepts it and follows on. */
    private Step consentIfAsked(URI authorizeUrl, String redirectUri, Step step) {
        if (!grantConsent || step.exit() != null) {
            return step;
        }
        Matcher form = CONSENT_FORM.matcher(step.page().body());
        if (!form.find()) {
            return step;
        }
        URI action = step.page().request().uri().resolve(attributes(form.group(1)).get("action"));
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher input = INPUT.matcher(form.group(2));
        while (input.find()) {
            Map<String, String> attributes = attributes(input.group(1));
            if ("hidden".equalsIgnoreCase(attributes.get("type")) && attributes.get("name") != null) {
                fields.put(attributes.get("name"), attributes.getOrDefault("value", ""));
            }
        }
        fields.put("accept", "Yes");
        return follow(authorizeUrl, redirectUri, send(HttpRequest.newBuilder(action).timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(encodeForm(fields))).build()));
    }

    /** Either a redirect out of Keycloak or the page (200) Keycloak stopped at. */
    private record Step(URI exit, HttpResponse<String> page) {}

    private Step follow(URI authorizeUrl, String redirectUri, HttpResponse<String> response) {
        HttpResponse<String> current = response;
        for (int redirects = 0; ; redirects++) {
            int status = current.statusCode();
            if (status == 200) {
                return new Step(null, current);
            }
            if (!isRedirect(status)) {
                throw new IllegalStateException("Keycloak answered " + describe(current));
            }
            String header = current.headers().firstValue("Location").orElse(null);
            if (header == null) {
                throw new IllegalStateException("redirect without a Location header: " + describe(current));
            }
            URI location = current.request().uri().resolve(header);
            if (leavesKeycloak(location, authorizeUrl, redirectUri)) {
                return new Step(location, null);
            }
            if (redirects == MAX_REDIRECTS) {
                throw new IllegalStateException("more than " + MAX_REDIRECTS + " redirects within Keycloak, last to "
                        + location);
            }
            current = send(get(location));
        }
    }

    private static boolean leavesKeycloak(URI location, URI authorizeUrl, String redirectUri) {
        if (redirectUri != null && location.toString().startsWith(redirectUri)) {
            return true;
        }
        return !(scheme(location).equals(scheme(authorizeUrl))
                && location.getHost() != null && location.getHost().equalsIgnoreCase(authorizeUrl.getHost())
                && port(location) == port(authorizeUrl));
    }

    /**
     * Keycloak's login form: its resolved action and its fields (hidden ones with their values, such
     * as the empty {@code credentialId}; checkboxes and buttons left out), in page order; mutable.
     */
    private record LoginForm(URI action, Map<String, String> fields) {
        static LoginForm parse(HttpResponse<String> page) {
            Matcher form = LOGIN_FORM.matcher(page.body());
            if (!form.find()) {
                throw new IllegalStateException("expected Keycloak's login form (kc-form-login), got " + describe(page));
            }
            String action = attributes(form.group(1)).get("action");
            if (action == null || action.isEmpty()) {
                throw new IllegalStateException("login form without an action: " + describe(page));
            }
            Map<String, String> fields = new LinkedHashMap<>();
            Matcher input = INPUT.matcher(form.group(2));
            while (input.find()) {
                Map<String, String> attributes = attributes(input.group(1));
                String name = attributes.get("name");
                String type = attributes.getOrDefault("type", "text").toLowerCase(Locale.ROOT);
                if (name == null || type.equals("checkbox") || type.equals("submit") || type.equals("button")) {
                    continue;
                }
                fields.put(name, attributes.getOrDefault("value", ""));
            }
            return new LoginForm(page.request().uri().resolve(action), fields);
        }
    }

    private static Map<String, String> attributes(String tagInside) {
        Map<String, String> attributes = new LinkedHashMap<>();
        Matcher attribute = ATTRIBUTE.matcher(tagInside);
        while (attribute.find()) {
            attributes.putIfAbsent(attribute.group(1).toLowerCase(Locale.ROOT), unescape(attribute.group(2)));
        }
        return attributes;
    }

    /** {@code HTTP <status> from <method> <url without query>: "<message>" (page "<title>") <visible text>}. */
    private static String describe(HttpResponse<String> response) {
        URI uri = response.request().uri();
        StringBuilder description = new StringBuilder("HTTP ").append(response.statusCode()).append(" from ")
                .append(response.request().method()).append(' ')
                .append(uri.getScheme()).append("://").append(uri.getRawAuthority()).append(uri.getRawPath());
        String body = response.body() == null ? "" : response.body();
        Matcher message = MESSAGE.matcher(body);
        if (message.find()) {
            description.append(": \"").append(text(message.group(1))).append('"');
        }
        Matcher title = TITLE.matcher(body);
        if (title.find()) {
            description.append(" (page \"").append(text(title.group(1))).append("\")");
        }
        String visible = text(INVISIBLE.matcher(body).replaceAll(" "));
        if (!visible.isEmpty()) {
            description.append(" page text: ").append(visible.length() <= SNIPPET_CHARS ? visible
                    : visible.substring(0, SNIPPET_CHARS) + "...");
        }
        return description.toString();
    }

    private static String text(String html) {
        return unescape(TAG.matcher(html).replaceAll(" ")).replaceAll("\\s+", " ").strip();
    }

    /** Decodes the entities Keycloak's templates emit: numeric ones and the common named ones. */
    private static String unescape(String html) {
        Matcher entity = ENTITY.matcher(html);
        StringBuilder decoded = new StringBuilder(html.length());
        while (entity.find()) {
            String name = entity.group(1);
            String replacement;
            if (name.startsWith("#x") || name.startsWith("#X")) {
                replacement = Character.toString(Integer.parseInt(name.substring(2), 16));
            } else if (name.startsWith("#")) {
                replacement = Character.toString(Integer.parseInt(name.substring(1)));
            } else {
                replacement = switch (name) {
                    case "amp" -> "&";
                    case "lt" -> "<";
                    case "gt" -> ">";
                    case "quot" -> "\"";
                    case "apos" -> "'";
                    case "nbsp" -> "\u00a0";
                    default -> entity.group();
                };
            }
            entity.appendReplacement(decoded, Matcher.quoteReplacement(replacement));
        }
        entity.appendTail(decoded);
        return decoded.toString();
    }

    private static String queryParameter(URI uri, String name) {
        String query = uri.getRawQuery();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            if (key.equals(name)) {
                return equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static String encodeForm(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static String scheme(URI uri) {
        return uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equals(scheme(uri)) ? 443 : 80;
    }

    private static HttpRequest get(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build();
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(request.method() + " " + request.uri().getRawPath() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(request.method() + " " + request.uri().getRawPath() + ": interrupted", e);
        }
    }
}
