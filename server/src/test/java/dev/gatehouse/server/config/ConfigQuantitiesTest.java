package dev.gatehouse.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.gatehouse.server.units.Quantities;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigQuantitiesTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(textBlock = """
            250ms,   PT0.25S
            30s,     PT30S
            5m,      PT5M
            2h,      PT2H
            7d,      PT168H
            90d,     PT2160H
            0s,      PT0S
            ' 45 s', PT45S
            PT30S,   PT30S
            pt1m,    PT1M
            P1DT2H,  PT26H
            PT0.5S,  PT0.5S
            """)
    void duration_parses(String text, Duration expected) {
        assertThat(Quantities.parseDuration(text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"30", "", "s", "5x", "-5s", "1.5s", "30S", "5 minutes", "P", "PT", "99999999999999999999d",
        "9999999999999999d"})
    void duration_refusesAmbiguousOrMalformedText(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> Quantities.parseDuration(text));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(textBlock = """
            PT0S,     0s
            PT0.25S,  250ms
            PT1.5S,   1500ms
            PT30S,    30s
            PT90S,    90s
            PT5M,     5m
            PT36H,    36h
            PT2160H,  90d
            PT0.0001S, PT0.0001S
            PT-1S,    PT-1S
            """)
    void duration_formatsShortest_andParsesBack(Duration duration, String expected) {
        assertThat(Quantities.formatDuration(duration)).isEqualTo(expected);
        assertThat(Quantities.parseDuration(expected)).isEqualTo(duration);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(textBlock = """
            1048576,  1048576
            0,        0
            512B,     512
            1KB,      1000
            10MB,     10000000
            2GB,      2000000000
            512KiB,   524288
            1MiB,     1048576
            1mib,     1048576
            4GiB,     4294967296
            ' 10 MB', 10000000
            """)
    void size_parses(String text, long expected) {
        assertThat(Quantities.parseSize(text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "MiB", "1.5MiB", "-1", "1TB", "1 M", "10MBs", "99999999999GiB", "99999999999999999999"})
    void size_refusesMalformedText(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> Quantities.parseSize(text));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(textBlock = """
            0,          0
            1000,       1KB
            1024,       1KiB
            1048576,    1MiB
            1536000,    1500KiB
            10000000,   10MB
            1073741824, 1GiB
            1500,       1500
            """)
    void size_formatsShortest_andParsesBack(long bytes, String expected) {
        assertThat(Quantities.formatSize(bytes)).isEqualTo(expected);
        assertThat(Quantities.parseSize(expected)).isEqualTo(bytes);
    }
}
