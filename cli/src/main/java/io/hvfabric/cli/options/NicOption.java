package io.hvfabric.cli.options;

import io.hvfabric.cli.CliException;
import io.hvfabric.proto.v1.NicSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One {@code --nic network=NAME[,ip=A][,mbps=N]} of {@code vsi create}: the vNIC a request asks for. The fabric
 * assigns its MAC and VNI (and, without {@code ip}, its address); the scheduler checks the values against the
 * network. Here only the syntax is checked, each mistake named by its key (exit 2, nothing sent).
 */
public final class NicOption {
    public static final String SYNTAX = "network=NAME[,ip=A][,mbps=N]";
    private static final String OPTION = "--nic";
    private static final List<String> KEYS = List.of("network", "ip", "mbps");
    private static final String EXPECTED = "expected " + String.join(", ", KEYS);
    private static final Pattern WHOLE_NUMBER = Pattern.compile("\\d{1,18}");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    private NicOption() {}

    public static List<NicSpec> parseAll(List<String> values) {
        return values.stream().map(NicOption::parse).toList();
    }

    public static NicSpec parse(String value) {
        if (value.isBlank()) {
            throw usage("must not be empty; expected " + SYNTAX);
        }
        NicSpec.Builder nic = NicSpec.newBuilder();
        Set<String> seen = new HashSet<>();
        for (String item : value.split(",", -1)) {
            int eq = item.indexOf('=');
            if (eq < 0) {
                throw usage("'" + item + "' is not KEY=VALUE; " + EXPECTED);
            }
            String key = item.substring(0, eq).strip();
            String text = item.substring(eq + 1).strip();
            if (!KEYS.contains(key)) {
                throw usage("unknown key '" + key + "'; " + EXPECTED);
            }
            if (!seen.add(key)) {
                throw usage(key + " given twice");
            }
            if (text.isEmpty()) {
                throw usage(key + " must not be empty");
            }
            switch (key) {
                case "network" -> nic.setNetwork(text);
                case "ip" -> nic.setIp(ipv4(text));
                case "mbps" -> nic.setMbps(wholeNumber(text));
                default -> throw new IllegalStateException("key " + key);
            }
        }
        if (!seen.contains("network")) {
            throw usage("network is required (" + SYNTAX + ")");
        }
        return nic.build();
    }

    private static String ipv4(String text) {
        if (!IPV4.matcher(text).matches()) {
            throw usage("ip must be an IPv4 address like 10.0.0.5, got '" + text + "'");
        }
        return text;
    }

    private static long wholeNumber(String text) {
        if (!WHOLE_NUMBER.matcher(text).matches()) {
            throw usage("mbps must be a whole number, got '" + text + "'");
        }
        return Long.parseLong(text);
    }

    private static CliException usage(String message) {
        return CliException.usage(OPTION + ": " + message);
    }
}
