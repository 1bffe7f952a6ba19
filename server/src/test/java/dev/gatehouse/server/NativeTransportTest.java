package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Gatehouse serves on Linux's epoll where the build ships it (Linux x86-64), and says which transport it uses. */
class NativeTransportTest {
    @TempDir
    Path dataDir;

    @Test
    void theStartLine_namesTheTransport_epollOnLinuxX8664() {
        Logger logger = (Logger) LoggerFactory.getLogger(Gatehouse.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        Level before = logger.getLevel();
        logger.setLevel(Level.INFO);
        logger.addAppender(lines);
        try (Gatehouse ignored = Gatehouse.start(TestGatehouse.config(dataDir, Map.of()))) {
            ILoggingEvent listening = lines.list.stream()
                    .filter(line -> line.getMessage().startsWith("Gatehouse is listening")).findFirst().orElseThrow();
            Object transport = listening.getKeyValuePairs().stream()
                    .filter(pair -> pair.key.equals("transport")).findFirst().orElseThrow().value;

            boolean linuxX8664 = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
                    && Set.of("amd64", "x86_64").contains(System.getProperty("os.arch"));
            assertThat(transport).isEqualTo(linuxX8664 ? "epoll" : "nio");
        } finally {
            logger.detachAppender(lines);
            logger.setLevel(before);
        }
    }
}
