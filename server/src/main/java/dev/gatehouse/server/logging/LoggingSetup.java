package dev.gatehouse.server.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link LoggingConfig} to Logback at start-up: one console appender on stderr (stdout is
 * kept for command output), text for people or one JSON object per line for log pipelines.
 * Structured fields (request id, status, reason codes) travel as SLF4J key-value pairs. A
 * misleading third-party warning is dropped ({@link VertxGaugeReRegistrations}).
 *
 * <p>Lines are formatted and written by one background thread behind a queue of {@value
 * #QUEUE_SIZE} events, so a request thread never waits for stderr (a slow or stalled log pipe would
 * otherwise stop every event loop). When the queue is 80% full INFO and below are dropped; when it is
 * full, everything is. {@link #stop()} writes what is queued; call it last on shutdown.
 */
public final class LoggingSetup {
    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{24} - %msg %kvp%n%ex";

    static final int QUEUE_SIZE = 8192;
    private static final int FLUSH_MILLIS_ON_STOP = 5_000;

    private LoggingSetup() {}

    public static void apply(LoggingConfig config) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();

        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setTarget("System.err");
        console.setEncoder(encoder(config.format(), context));
        console.start();

        AsyncAppender async = new AsyncAppender();
        async.setContext(context);
        async.setName("async-console");
        async.setQueueSize(QUEUE_SIZE);
        async.setNeverBlock(true);
        async.setMaxFlushTime(FLUSH_MILLIS_ON_STOP);
        async.addAppender(console);
        async.start();

        root.addAppender(async);
        root.setLevel(Level.toLevel(config.level(), Level.INFO));
        // Third-party chatter that says nothing an operator needs at INFO.
        context.getLogger("com.zaxxer.hikari").setLevel(Level.WARN);
        context.getLogger("org.flywaydb").setLevel(Level.WARN);
        context.getLogger("io.netty").setLevel(Level.WARN);
        // Lettuce warns at every reconnection attempt (each second while Redis is away); RedisLink logs
        // the loss and the recovery once each.
        context.getLogger("io.lettuce").setLevel(Level.ERROR);
        if (context.getTurboFilterList().stream().noneMatch(VertxGaugeReRegistrations.class::isInstance)) {
            VertxGaugeReRegistrations filter = new VertxGaugeReRegistrations();
            filter.setContext(context);
            filter.start();
            context.addTurboFilter(filter);
        }
    }

    /**
     * For a one-shot operator command, which prints its result on stdout: stderr carries only what
     * needs attention (WARN and above), not the start-up INFO lines a server logs.
     */
    public static void warningsOnly() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
    }

    /** Writes every queued line (waiting at most 5 s) and stops logging. */
    public static void stop() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAndStopAllAppenders();
    }

    private static Encoder<ILoggingEvent> encoder(LoggingConfig.Format format, LoggerContext context) {
        if (format == LoggingConfig.Format.JSON) {
            JsonEncoder json = new JsonEncoder();
            json.setContext(context);
            json.setWithSequenceNumber(false);
            json.setWithContext(false);
            json.setWithArguments(false);
            json.setWithFormattedMessage(true);
            json.setWithMessage(false);
            json.start();
            return json;
        }
        PatternLayoutEncoder text = new PatternLayoutEncoder();
        text.setContext(context);
        text.setPattern(TEXT_PATTERN);
        text.start();
        return text;
    }
}
