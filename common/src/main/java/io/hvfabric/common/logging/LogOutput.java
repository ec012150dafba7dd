package io.hvfabric.common.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.hvfabric.common.error.FabricException;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * How a daemon (scheduler, node agent) writes its log: to stderr, where the lab and systemd collect it, either as
 * readable text lines ({@code 14:02:03.123 [main] INFO io.hvfabric.X - message}, the default) or as one JSON object
 * per line ({@link JsonLineEncoder}). Configures logback programmatically, replacing whatever configured it before.
 * Levels: INFO, and WARN for Netty and gRPC's Netty transport (their INFO is connection chatter).
 */
public final class LogOutput {
    /** The text pattern: millisecond times, so a migration or failover can be timed from the log. */
    static final String TEXT_PATTERN = "%d{HH:mm:ss.SSS} [%thread] %level %logger - %msg%n";

    public enum Format {
        TEXT, JSON;

        /** {@code text} or {@code json} (any case); anything else is INVALID_ARGUMENT naming {@code flag}. */
        public static Format parse(String flag, String value) {
            String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "text" -> TEXT;
                case "json" -> JSON;
                default -> throw FabricException.invalidArgument(flag, "must be text or json (got '%s')", value);
            };
        }
    }

    private LogOutput() {}

    /** From now on, every log line of this JVM in {@code format}. */
    public static void use(Format format) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            throw new IllegalStateException("logging is not bound to logback but to "
                    + LoggerFactory.getILoggerFactory().getClass().getName());
        }
        context.reset();
        Encoder<ILoggingEvent> encoder = format == Format.JSON ? new JsonLineEncoder() : textEncoder();
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("stderr");
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(appender);
        context.getLogger("io.netty").setLevel(Level.WARN);
        context.getLogger("io.grpc.netty").setLevel(Level.WARN);
    }

    private static Encoder<ILoggingEvent> textEncoder() {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setPattern(TEXT_PATTERN);
        return encoder;
    }
}
