package io.hvfabric.cli.options;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A size in bytes as operators write it: "64M", "10G", "1T" (powers of 1024; "MiB", "GiB", "TiB" alike), "512K", or a
 * bare number of bytes. Empty when the text is none of these or overflows.
 */
public final class ByteSize {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*(b|k|ki|kib|kb|m|mi|mib|mb|g|gi|gib|gb|t|ti|tib|tb)?");

    private ByteSize() {}

    public static Optional<Long> parse(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            long amount = Long.parseLong(m.group(1));
            int shift = switch (m.group(2) == null ? "b" : m.group(2).substring(0, 1)) {
                case "k" -> 10;
                case "m" -> 20;
                case "g" -> 30;
                case "t" -> 40;
                default -> 0;
            };
            return Optional.of(Math.multiplyExact(amount, 1L << shift));
        } catch (NumberFormatException | ArithmeticException e) {
            return Optional.empty();
        }
    }
}
