package dev.gatehouse.server.console;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The console's pages, scripts and styles: the files of the classpath folder {@value #FOLDER}, read
 * once and kept. Only plain names of known types are served (no path, so nothing outside the folder).
 */
final class ConsoleAssets {
    static final String FOLDER = "console/";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*\\.(html|js|css|svg|png|ico)");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon");

    private final Map<String, Asset> cache = new ConcurrentHashMap<>();

    /** A file and its content type. */
    record Asset(Buffer content, String contentType) {}

    /** The asset called {@code name}, if there is one. */
    Optional<Asset> find(String name) {
        Matcher matcher = NAME.matcher(name);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        Asset known = cache.get(name);
        if (known != null) {
            return Optional.of(known);
        }
        // Only files that exist are kept: a request for any other name must not grow the cache.
        Optional<Asset> loaded = load(name, TYPES.get(matcher.group(1)));
        loaded.ifPresent(asset -> cache.put(name, asset));
        return loaded;
    }

    private static Optional<Asset> load(String name, String contentType) {
        try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(FOLDER + name)) {
            return in == null ? Optional.empty() : Optional.of(new Asset(Buffer.buffer(in.readAllBytes()), contentType));
        } catch (IOException e) {
            throw new UncheckedIOException("console asset " + name, e);
        }
    }
}
