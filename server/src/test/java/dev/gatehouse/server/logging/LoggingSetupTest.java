package dev.gatehouse.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class LoggingSetupTest {
    @TempDir
    Path dir;

    private final PrintStream originalErr = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @AfterEach
    void restore() throws Exception {
        System.setErr(originalErr);
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig(); // back to logback-test.xml for the other tests
    }

    @Test
    void json_oneObjectPerLine_withKeyValuePairs() {
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        LoggingSetup.apply(new LoggingConfig(LoggingConfig.Format.JSON, "INFO", LoggingConfig.GatewayAccess.ALL));

        LoggerFactory.getLogger("gatehouse.test").atInfo().addKeyValue("requestId", "r-1").log("hello");
        LoggingSetup.stop();

        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(1);
        JsonObject event = new JsonObject(lines.get(0));
        assertThat(event.getString("level")).isEqualTo("INFO");
        assertThat(event.getString("loggerName")).isEqualTo("gatehouse.test");
        assertThat(event.getString("formattedMessage")).isEqualTo("hello");
        assertThat(event.encode()).contains("\"requestId\"").contains("\"r-1\"");
    }

    @Test
    void linesAreWrittenOffTheCallingThread_andAllOfThemByStop() {
        List<String> writers = new CopyOnWriteArrayList<>();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8) {
            @Override
            public void write(byte[] bytes, int offset, int length) {
                writers.add(Thread.currentThread().getName());
                super.write(bytes, offset, length);
            }
        });
        LoggingSetup.apply(new LoggingConfig(LoggingConfig.Format.TEXT, "INFO", LoggingConfig.GatewayAccess.ALL));
        org.slf4j.Logger log = LoggerFactory.getLogger("gatehouse.test");

        for (int i = 0; i < 1000; i++) {
            log.info("line {}", i);
        }
        LoggingSetup.stop();

        assertThat(captured.toString(StandardCharsets.UTF_8).lines().filter(line -> line.contains("line ")))
                .hasSize(1000);
        assertThat(writers).isNotEmpty().doesNotContain(Thread.currentThread().getName());
    }

    @Test
    void vertxReRegisteringItsOwnGauges_isNotLogged_anyOtherGaugeReRegistrationIs() {
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        LoggingSetup.apply(new LoggingConfig(LoggingConfig.Format.TEXT, "INFO", LoggingConfig.GatewayAccess.ALL));
        // Micrometer warns once per JVM, then logs at DEBUG: at DEBUG every re-registration shows, first or not.
        ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(MeterRegistry.class).setLevel(Level.DEBUG);

        try (Gatehouse gatehouse = Gatehouse.start(TestGatehouse.config(dir, Map.of()))) {
            for (int connection = 0; connection < 3; connection++) {
                assertThat(TestGatehouse.get(gatehouse.localUrl().resolve("/healthz")).statusCode()).isEqualTo(200);
            }
        }
        MeterRegistry registry = new SimpleMeterRegistry();
        Gauge.builder("gatehouse.test.queued", () -> 0).register(registry);
        Gauge.builder("gatehouse.test.queued", () -> 0).register(registry);
        LoggingSetup.stop();

        assertThat(captured.toString(StandardCharsets.UTF_8))
                .contains("Gatehouse is listening")
                .doesNotContain("has been already registered (MeterId{name='vertx.")
                .contains("This Gauge has been already registered (MeterId{name='gatehouse.test.queued'");
    }

    @Test
    void level_dropsLinesBelowIt() {
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        LoggingSetup.apply(new LoggingConfig(LoggingConfig.Format.TEXT, "WARN", LoggingConfig.GatewayAccess.ALL));

        LoggerFactory.getLogger("gatehouse.test").info("quiet");
        LoggerFactory.getLogger("gatehouse.test").warn("loud");
        LoggingSetup.stop();

        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("quiet").contains("loud");
    }
}
