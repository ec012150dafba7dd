package io.hvfabric.common.validation;

import io.hvfabric.common.error.FabricException;
import java.util.regex.Pattern;

/**
 * The field-level rules the fabric's validators are made of. Each either returns the value or throws INVALID_ARGUMENT
 * naming the field and the rule, quoting at most an {@link io.hvfabric.common.error.Excerpt} of the input.
 */
public final class FieldRules {
    /** RFC 1123 label: names of VSIs, hosts, images, groups; they become keys, directories and cgroups. */
    public static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    public static final int MAX_DNS_LABEL = 63;
    private static final String DNS_LABEL_RULE =
            "must be a DNS label: 1-63 lowercase letters, digits or hyphens, starting and ending with a letter or digit";

    private FieldRules() {}

    public static String dnsLabel(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw FabricException.invalidArgument(field, DNS_LABEL_RULE + " (got an empty value)");
        }
        // Length first: the regex never runs on a megabyte of input.
        if (value.length() > MAX_DNS_LABEL || !DNS_LABEL.matcher(value).matches()) {
            throw FabricException.invalidArgument(field, DNS_LABEL_RULE + " (got '%s', %d characters)", value,
                    value.length());
        }
        return value;
    }

    /** Empty means "not given"; anything else must be a DNS label. */
    public static String optionalDnsLabel(String field, String value) {
        return value == null || value.isEmpty() ? "" : dnsLabel(field, value);
    }

    /** {@code min <= value <= max}; {@code unit} (e.g. "MiB") is only for the message, may be empty. */
    public static long within(String field, long value, long min, long max, String unit) {
        if (value < min || value > max) {
            String u = unit.isEmpty() ? "" : " " + unit;
            throw FabricException.invalidArgument(field, "must be within %d..%d%s (got %d)", min, max, u, value);
        }
        return value;
    }

    /**
     * At most {@code maxLength} characters, each printable ASCII (0x20-0x7e): no C0 or C1 control character, no DEL,
     * nothing a terminal, a log line or a command line would interpret.
     */
    public static String printableAscii(String field, String value, int maxLength) {
        if (value.length() > maxLength) {
            throw FabricException.invalidArgument(field, "must be at most %d characters (got %d)", maxLength,
                    value.length());
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw FabricException.invalidArgument(field,
                        "must be printable ASCII (0x20-0x7e), without control characters (got U+%04X at index %d)",
                        (int) c, i);
            }
        }
        return value;
    }
}
