package io.hvfabric.common.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * One JSON object per log entry, on one line: {@code time} (RFC 3339, UTC, milliseconds), {@code level},
 * {@code logger}, {@code thread}, {@code message} (formatted), then each MDC entry as a field of its own (unless it
 * would shadow one of those), and {@code exception} (the stack trace as text) when the entry has one.
 */
final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
    private static final Set<String> RESERVED = Set.of("time", "level", "logger", "thread", "message", "exception");
    private static final byte[] NONE = new byte[0];

    @Override
    public byte[] headerBytes() {
        return NONE;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        StringBuilder json = new StringBuilder(256);
        json.append('{');
        field(json, "time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
        json.append(',');
        field(json, "level", event.getLevel().toString());
        json.append(',');
        field(json, "logger", event.getLoggerName());
        json.append(',');
        field(json, "thread", event.getThreadName());
        json.append(',');
        field(json, "message", event.getFormattedMessage());
        Map<String, String> mdc = event.getMDCPropertyMap();
        if (mdc != null) {
            mdc.forEach((key, value) -> {
                if (key != null && !RESERVED.contains(key)) {
                    json.append(',');
                    field(json, key, value);
                }
            });
        }
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            json.append(',');
            field(json, "exception", ThrowableProxyUtil.asString(thrown));
        }
        json.append("}\n");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] footerBytes() {
        return NONE;
    }

    private static void field(StringBuilder json, String name, String value) {
        quote(json, name);
        json.append(':');
        if (value == null) {
            json.append("null");
        } else {
            quote(json, value);
        }
    }

    /** A JSON string: quotes, backslashes and every control character escaped, so an entry stays on one line. */
    static void quote(StringBuilder json, String s) {
        json.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}
