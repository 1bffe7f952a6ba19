package dev.gatehouse.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The samples of a Prometheus text exposition ({@code GET /metrics}), comments skipped. */
public record PrometheusScrape(List<Sample> samples) {
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+-?\\d+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** One sample; labels sorted by name. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    /**
     * {@code GET /metrics} of the management server at {@code baseUrl} (a Gatehouse's
     * {@code managementUrl()}), over HTTP/1.1 as Prometheus scrapes. Not java.net.http's default:
     * its h2c upgrade now and then misreads a response this large that follows the 101 at once
     * ("Frame type(..) length(..) exceeds MAX_FRAME_SIZE").
     */
    public static String fetchText(URI baseUrl) {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(baseUrl.resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET /metrics: " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static PrometheusScrape parse(String text) {
        return new PrometheusScrape(text.lines()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(PrometheusScrape::sample)
                .toList());
    }

    private static Sample sample(String line) {
        Matcher sample = SAMPLE.matcher(line);
        if (!sample.matches()) {
            throw new IllegalArgumentException("not a Prometheus sample: " + line);
        }
        Map<String, String> labels = new TreeMap<>();
        if (sample.group(2) != null) {
            Matcher label = LABEL.matcher(sample.group(2));
            while (label.find()) {
                labels.put(label.group(1), label.group(2));
            }
        }
        return new Sample(sample.group(1), labels, Double.parseDouble(sample.group(3).replace("Inf", "Infinity")));
    }

    /** The samples carrying label {@code name} with {@code value}. */
    public List<Sample> withLabel(String name, String value) {
        return samples.stream().filter(sample -> value.equals(sample.labels().get(name))).toList();
    }

    /** The sum of every sample named {@code name}, whatever its labels; 0 if there is none. */
    public double sum(String name) {
        return samples.stream().filter(sample -> sample.name().equals(name)).mapToDouble(Sample::value).sum();
    }
}
