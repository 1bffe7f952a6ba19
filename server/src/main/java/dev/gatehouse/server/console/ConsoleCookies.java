package dev.gatehouse.server.console;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The console's two cookies, both {@code __Host-} (Secure, Path=/, no Domain: only this origin may set
 * or read them) and HttpOnly (no script reads them):
 * <ul>
 *   <li>{@value #SESSION}: the session id, SameSite=Strict (never sent by another site's request);
 *   <li>{@value #SIGN_IN}: a Keycloak sign-in on its way, sealed ({@link PendingSignIns}), SameSite=Lax
 *       so that it comes back with Keycloak's redirect, binding the callback to the browser that started it.
 * </ul>
 * Browsers accept Secure cookies from {@code http://localhost} and {@code http://127.0.0.1}; anywhere
 * else the console needs HTTPS (which {@code production: true} requires of {@code server.publicUrl}).
 */
final class ConsoleCookies {
    static final String SESSION = "__Host-gatehouse-console";
    static final String SIGN_IN = "__Host-gatehouse-sign-in";

    private ConsoleCookies() {}

    static Optional<String> session(HttpServerRequest request) {
        return value(request, SESSION);
    }

    static Optional<String> signIn(HttpServerRequest request) {
        return value(request, SIGN_IN);
    }

    static void setSession(HttpServerResponse response, String id, Duration lifetime) {
        response.addCookie(cookie(SESSION, id, CookieSameSite.STRICT, lifetime.toSeconds()));
    }

    static void setSignIn(HttpServerResponse response, String sealed, Duration lifetime) {
        response.addCookie(cookie(SIGN_IN, sealed, CookieSameSite.LAX, lifetime.toSeconds()));
    }

    static void clearSession(HttpServerResponse response) {
        response.addCookie(cookie(SESSION, "", CookieSameSite.STRICT, 0));
    }

    static void clearSignIn(HttpServerResponse response) {
        response.addCookie(cookie(SIGN_IN, "", CookieSameSite.LAX, 0));
    }

    private static Cookie cookie(String name, String value, CookieSameSite sameSite, long maxAgeSeconds) {
        return Cookie.cookie(name, value).setPath("/").setSecure(true).setHttpOnly(true).setSameSite(sameSite)
                .setMaxAge(maxAgeSeconds);
    }

    private static Optional<String> value(HttpServerRequest request, String name) {
        Cookie cookie = request.getCookie(name);
        return cookie == null || cookie.getValue().isEmpty() ? Optional.empty() : Optional.of(cookie.getValue());
    }
}
