package io.hvfabric.cli.options;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Memory in MiB: a bare number is MiB; "512M", "512MiB", "2G" and "2GiB" are accepted too. */
public final class MemorySizeConverter implements CommandLine.ITypeConverter<Long> {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(m|mi|mib|mb|g|gi|gib|gb|t|ti|tib|tb)?");

    @Override
    public Long convert(String value) {
        Matcher matcher = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a memory size in MiB (e.g. 512, 512MiB, 2GiB)");
        }
        long amount;
        try {
            amount = Long.parseLong(matcher.group(1));
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is too large");
        }
        String unit = matcher.group(2) == null ? "m" : matcher.group(2).substring(0, 1);
        long factor = switch (unit) {
            case "g" -> 1024L;
            case "t" -> 1024L * 1024;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(amount, factor);
        } catch (ArithmeticException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is too large");
        }
    }
}
