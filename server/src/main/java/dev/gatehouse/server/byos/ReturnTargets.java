package dev.gatehouse.server.byos;

import dev.gatehouse.server.http.ApiException;
import dev.gatehouse.server.http.Shown;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where {@code /callback} may send the browser: only under {@code byos.consoleUrl} (same scheme,
 * host and port; a path at or below the console's), so a crafted {@code return_to} cannot make
 * Gatehouse an open redirector.
 */
final class ReturnTargets {
    /** What {@code /callback} adds to the target: a target may not bring its own. */
    static final List<String> OUTCOME_PARAMETERS = List.of("byos", "outcome", "error");

    private ReturnTargets() {}

    /**
     * {@code returnTo} if it is under {@code consoleUrl}.
     *
     * @throws ApiException 400 {@code redirect_not_allowed} otherwise, or when no console URL is configured
     */
    static URI check(Optional<URI> consoleUrl, String returnTo) {
        if (consoleUrl.isEmpty()) {
            throw refused("return_to: " + Shown.quote(returnTo) + " (byos.consoleUrl is not configured, so Gatehouse"
                    + " redirects nowhere; leave return_to out)");
        }
        URI console = consoleUrl.get();
        URI target;
        try {
            target = new URI(returnTo).normalize();
        } catch (URISyntaxException e) {
            throw refused("return_to: " + Shown.quote(returnTo) + " (expected: a URL under " + console + ")");
        }
        if (!target.isAbsolute() || target.getRawUserInfo() != null || target.getRawFragment() != null
                || !lower(target.getScheme()).equals(lower(console.getScheme()))
                || !lower(target.getHost()).equals(lower(console.getHost()))
                || port(target) != port(console)
                || !under(Objects.requireNonNullElse(target.getRawPath(), ""), console.getRawPath())) {
            throw refused("return_to: " + Shown.quote(returnTo) + " (expected: a URL under " + console + ")");
        }
        if (target.getRawQuery() != null && Arrays.stream(target.getRawQuery().split("&"))
                .map(parameter -> parameter.split("=", 2)[0].toLowerCase(Locale.ROOT))
                .anyMatch(OUTCOME_PARAMETERS::contains)) {
            throw refused("return_to: " + Shown.quote(returnTo) + " (expected: without the parameters "
                    + String.join(", ", OUTCOME_PARAMETERS) + ", which Gatehouse adds)");
        }
        return target;
    }

    private static boolean under(String path, String consolePath) {
        String base = consolePath == null || consolePath.isEmpty() ? "/" : consolePath;
        String target = path.isEmpty() ? "/" : path;
        String lower = target.toLowerCase(Locale.ROOT);
        // Browsers resolve encoded dots and slashes as path steps: refuse them rather than guess.
        if (target.contains("/../") || target.endsWith("/..") || lower.contains("%2e") || lower.contains("%2f")
                || lower.contains("%5c") || target.contains("\\")) {
            return false;
        }
        return target.equals(base) || target.startsWith(base.endsWith("/") ? base : base + "/");
    }

    private static int port(URI url) {
        if (url.getPort() != -1) {
            return url.getPort();
        }
        return lower(url.getScheme()).equals("https") ? 443 : 80;
    }

    private static String lower(String text) {
        return text == null ? "" : text.toLowerCase(Locale.ROOT);
    }

    private static ApiException refused(String message) {
        return new ApiException(400, "redirect_not_allowed", message);
    }
}
