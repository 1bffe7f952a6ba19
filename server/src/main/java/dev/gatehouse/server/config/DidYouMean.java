package dev.gatehouse.server.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/** Suggests the known name an unknown one was probably meant to be. */
final class DidYouMean {
    private static final int MAX_DISTANCE = 3;

    private DidYouMean() {}

    /**
     * The candidate equal ignoring case, else one with the same last dotted segment (a key put in
     * the wrong section), else the closest by edit distance if close enough.
     */
    static Optional<String> suggest(String name, Collection<String> candidates) {
        String lower = name.toLowerCase(Locale.ROOT);
        Comparator<String> closest =
                Comparator.comparingInt(candidate -> distance(lower, candidate.toLowerCase(Locale.ROOT)));
        Optional<String> sameLeaf = candidates.stream()
                .filter(candidate -> leaf(candidate).equalsIgnoreCase(leaf(name)))
                .min(closest);
        if (sameLeaf.isPresent()) {
            return sameLeaf;
        }
        int threshold = Math.min(MAX_DISTANCE, Math.max(1, name.length() / 3));
        return candidates.stream()
                .filter(candidate -> distance(lower, candidate.toLowerCase(Locale.ROOT)) <= threshold)
                .min(closest);
    }

    private static String leaf(String name) {
        return name.substring(name.lastIndexOf('.') + 1);
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
