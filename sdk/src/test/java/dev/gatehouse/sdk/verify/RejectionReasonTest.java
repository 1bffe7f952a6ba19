package dev.gatehouse.sdk.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RejectionReasonTest {
    @Test
    void codes_areTheDocumentedStableCodes() {
        Map<RejectionReason, String> codes = new LinkedHashMap<>();
        Arrays.stream(RejectionReason.values()).forEach(reason -> codes.put(reason, reason.code()));

        assertThat(codes).containsExactly(
                Map.entry(RejectionReason.MALFORMED, "malformed_token"),
                Map.entry(RejectionReason.TOO_LARGE, "token_too_large"),
                Map.entry(RejectionReason.UNSUPPORTED_ALGORITHM, "unsupported_algorithm"),
                Map.entry(RejectionReason.UNKNOWN_KEY, "unknown_key"),
                Map.entry(RejectionReason.BAD_SIGNATURE, "bad_signature"),
                Map.entry(RejectionReason.EXPIRED, "token_expired"),
                Map.entry(RejectionReason.NOT_YET_VALID, "token_not_yet_valid"),
                Map.entry(RejectionReason.WRONG_ISSUER, "wrong_issuer"),
                Map.entry(RejectionReason.WRONG_AUDIENCE, "wrong_audience"),
                Map.entry(RejectionReason.WRONG_TYPE, "wrong_token_type"),
                Map.entry(RejectionReason.MISSING_CLAIM, "missing_claim"),
                Map.entry(RejectionReason.ORGANIZATION_CONFLICT, "organization_conflict"),
                Map.entry(RejectionReason.REVOKED, "token_revoked"),
                Map.entry(RejectionReason.KEYS_UNAVAILABLE, "keys_unavailable"));
    }

    @Test
    void descriptions_areShortAndDistinct() {
        assertThat(Arrays.stream(RejectionReason.values()).map(RejectionReason::description))
                .doesNotHaveDuplicates()
                .allSatisfy(description -> assertThat(description).isNotBlank().hasSizeLessThan(40).doesNotEndWith("."));
    }
}
