package io.hvfabric.agent.network;

import io.hvfabric.common.error.FabricException;
import java.util.regex.Pattern;

/** Strict dotted-quad IPv4 addresses and CIDR blocks: they end up in command lines and nft rules, so nothing else. */
public final class Ipv4 {
    private static final Pattern QUAD = Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");

    private Ipv4() {}

    /** A network address with its prefix length, host bits zero. */
    public record Cidr(String network, int prefix) {
        public static Cidr parse(String field, String text) {
            int slash = text == null ? -1 : text.indexOf('/');
            if (slash < 0) {
                throw FabricException.invalidArgument(field, "must be an IPv4 network like 10.0.0.0/24 (got '%s')",
                        text);
            }
            String address = address(field, text.substring(0, slash));
            int prefix;
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 1 || prefix > 30) {
                throw FabricException.invalidArgument(field, "must have a prefix length of 1 to 30 (got '%s')", text);
            }
            if ((toInt(address) & ~mask(prefix)) != 0) {
                throw FabricException.invalidArgument(field, "must have its host bits zero (got '%s')", text);
            }
            return new Cidr(address, prefix);
        }

        public boolean contains(String ip) {
            return (toInt(ip) & mask(prefix)) == toInt(network);
        }

        /** e.g. 255.255.255.0, as dnsmasq's dhcp-range takes it. */
        public String netmask() {
            return fromInt(mask(prefix));
        }

        @Override
        public String toString() {
            return network + "/" + prefix;
        }
    }

    /** @return {@code text}, if it is a dotted-quad IPv4 address */
    public static String address(String field, String text) {
        if (text == null || !QUAD.matcher(text).matches() || !octetsInRange(text)) {
            throw FabricException.invalidArgument(field, "must be an IPv4 address like 10.0.0.5 (got '%s')", text);
        }
        return text;
    }

    private static boolean octetsInRange(String text) {
        for (String octet : text.split("\\.")) {
            if (Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    static int toInt(String address) {
        int value = 0;
        for (String octet : address.split("\\.")) {
            value = (value << 8) | Integer.parseInt(octet);
        }
        return value;
    }

    private static String fromInt(int v) {
        return (v >>> 24) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
    }

    private static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }
}
