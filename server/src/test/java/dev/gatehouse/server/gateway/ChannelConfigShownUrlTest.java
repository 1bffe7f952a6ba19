package dev.gatehouse.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link ChannelConfig#shownBaseUrl()}: the base URL as the admin API shows it. */
class ChannelConfigShownUrlTest {

    @ParameterizedTest
    @CsvSource({
            "https://api.example.com/v1, https://api.example.com/v1",
            "https://user:s3cret@api.example.com/v1, https://api.example.com/v1",
            "http://token@10.0.0.7:8000/compatible-mode/v1/, http://10.0.0.7:8000/compatible-mode/v1/",
            "http://a:b@[::1]:9100/v1, http://[::1]:9100/v1",
            "https://api.example.com/team%20a/v1, https://api.example.com/team%20a/v1",
            "https://api.example.com, https://api.example.com"})
    void userinfoIsDropped_hostPortAndRawPathKept(String configured, String shown) {
        assertThat(channel(configured).shownBaseUrl()).isEqualTo(shown);
    }

    private static ChannelConfig channel(String baseUrl) {
        return new ChannelConfig("c", "p", URI.create(baseUrl), Optional.empty(), Optional.empty(), List.of("m"), 1, 0,
                ChannelConfig.DEFAULT_PROBE_PATH, Set.of(), Map.of(), Map.of(), true);
    }
}
