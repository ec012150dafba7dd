package io.hvfabric.cli.options;

import io.hvfabric.cli.CliException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code --since} value: a duration back from now ("30m", "2h", "1h30m", "7d") or an ISO-8601 timestamp. */
public final class Since {
    private static final Pattern DAYS = Pattern.compile("(\\d{1,5})d");

    private Since() {}

    public static Instant resolve(String option, String value, Instant now) {
        String text = value.trim();
        Matcher days = DAYS.matcher(text);
        Duration back = days.matches() ? Duration.ofDays(Long.parseLong(days.group(1))) : DurationConverter.parse(text);
        if (back != null) {
            return now.minus(back);
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw CliException.usage(option + ": '" + value + "' is neither a duration (30m, 2h, 7d) nor a timestamp"
                    + " (2025-01-31T12:00:00Z)");
        }
    }
}
