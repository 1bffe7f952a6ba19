package dev.gatehouse.server.byos;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ApiRangeTest {

    @ParameterizedTest
    @ValueSource(strings = {"203.0.113.0/24", "10.20.0.0/16", "8.0.0.0/8", "198.51.100.7/32", "2607:6bc0::/48",
            "2001:db8::1/128", "169.254.170.0/24"})
    void aProvidersRange_isAccepted(String cidr) {
        assertThat(ApiRange.problem(cidr)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0.0.0.0/0          | expected: a prefix of 8..32 bits",
            "10.0.0.0/7         | expected: a prefix of 8..32 bits",
            "1.2.3.4/33         | expected: a prefix of 8..32 bits",
            "::/0               | expected: a prefix of 16..128 bits",
            "2001:db8::/129     | expected: a prefix of 16..128 bits",
            "169.254.169.254/32 | without the cloud metadata address",
            "169.254.0.0/16     | without the cloud metadata address",
            "169.0.0.0/8        | without the cloud metadata address",
            "example.com/24     | expected: an address range",
            "::::/999           | expected: an address range",
            "1.2.3.4            | expected: an address range",
            "1.2.3.256/24       | expected: an address range",
            "10.0.0.0/x         | expected: an address range"})
    void anythingElse_isRefusedWithTheReason(String cidr, String reason) {
        assertThat(ApiRange.problem(cidr)).hasValueSatisfying(problem -> assertThat(problem).contains(reason));
    }
}
