package dev.gatehouse.server.pat;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;

/**
 * Whose personal access tokens count against one {@code pat.maxActivePerUser}: a subject of an
 * issuer, in one organization. Ordered, so that lock rows are always taken in the same order.
 */
record PatOwner(String issuer, String subject, String organization) implements Comparable<PatOwner> {
    private static final Comparator<PatOwner> ORDER = Comparator.comparing(PatOwner::issuer)
            .thenComparing(PatOwner::subject)
            .thenComparing(PatOwner::organization);

    PatOwner {
        requireNonNull(issuer, "issuer");
        requireNonNull(subject, "subject");
        requireNonNull(organization, "organization");
    }

    static PatOwner of(PatRecord record) {
        return new PatOwner(record.ownerIssuer(), record.ownerSubject(), record.organization());
    }

    @Override
    public int compareTo(PatOwner other) {
        return ORDER.compare(this, other);
    }
}
