package dev.gatehouse.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Request ids: a caller's plain id is kept, anything else is replaced by a random one. */
class RequestIdsTest {

    @ParameterizedTest
    @ValueSource(strings = {"trace-42", "a", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "svc:req_1.2"})
    void plainIds_areKept(String id) {
        assertThat(RequestIds.isPlain(id)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "with space", "line\nbreak", "quote\"", "ünïcode", "a/b", "{json}"})
    void idsThatCouldInjectIntoALogLine_areNot(String id) {
        assertThat(RequestIds.isPlain(id)).isFalse();
    }

    @Test
    void sixtyFourCharacters_areTheLongestKept() {
        assertThat(RequestIds.isPlain("x".repeat(64))).isTrue();
        assertThat(RequestIds.isPlain("x".repeat(65))).isFalse();
    }

    @Test
    void generatedIds_areFixedLengthBase32_plain_andDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = RequestIds.generate();
            assertThat(id).hasSize(RequestIds.GENERATED_LENGTH).matches("[0-9a-v]+");
            assertThat(RequestIds.isPlain(id)).isTrue();
            seen.add(id);
        }
        assertThat(seen).hasSize(10_000);
    }

    @Test
    void generatedIds_useEveryDigit_inEveryPosition() {
        boolean[][] used = new boolean[RequestIds.GENERATED_LENGTH][32];
        for (int i = 0; i < 5_000; i++) {
            String id = RequestIds.generate();
            for (int p = 0; p < id.length(); p++) {
                char c = id.charAt(p);
                used[p][c <= '9' ? c - '0' : c - 'a' + 10] = true;
            }
        }
        for (int p = 0; p < RequestIds.GENERATED_LENGTH; p++) {
            // positions 12 and 25 hold the last 4 bits of a long and one spare bit: 16 digits
            int expected = p == 12 || p == 25 ? 16 : 32;
            int count = 0;
            for (boolean u : used[p]) {
                count += u ? 1 : 0;
            }
            assertThat(count).as("digits seen at position %d", p).isEqualTo(expected);
        }
    }
}
