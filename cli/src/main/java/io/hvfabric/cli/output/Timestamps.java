package io.hvfabric.cli.output;

import com.google.protobuf.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Protobuf timestamps as "2025-01-31 12:00:05Z (3s ago)"; unset ones as empty. */
final class Timestamps {
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {}

    static String withAge(Timestamp timestamp, Instant now) {
        if (timestamp.getSeconds() == 0 && timestamp.getNanos() == 0) {
            return "";
        }
        Instant instant = Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
        Duration age = Duration.between(instant, now);
        String relative = age.isNegative() ? "in " + Units.duration(age.negated()) : Units.duration(age) + " ago";
        return FORMAT.format(instant) + " (" + relative + ")";
    }
}
