package io.hvfabric.scheduler.network;

import io.hvfabric.common.error.FabricException;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A tenant network's IPv4 range and the fabric's arithmetic over it, in one place: an address is known by its offset
 * from the network address (0 the network address, 1 the gateway, {@code size - 1} the broadcast address, the rest
 * for vNICs), and the MAC of the address at offset k on VNI v is {@code 0a:VV:VV:VV:KK:KK}: locally administered
 * unicast, unique in the fabric because VNIs are, and freed with its address.
 */
public record Subnet(int network, int prefix) {
    public static final int MIN_PREFIX = 16;
    public static final int MAX_PREFIX = 29;
    public static final int GATEWAY_OFFSET = 1;
    /** The first offset IPAM hands out: after the network address and the gateway. */
    public static final int FIRST_VNIC_OFFSET = 2;
    /** VXLAN's 24 bits. */
    public static final int MAX_VNI = (1 << 24) - 1;

    /** A vNIC MAC taken apart. */
    public record MacParts(int vni, int offset) {}

    private static final String CIDR_RULE = "must be an IPv4 network a.b.c.d/p in canonical form (decimal octets "
            + "without leading zeros), e.g. 10.0.0.0/24 (got '%s')";
    private static final int MAX_ADDRESS_CHARS = 15;

    public Subnet {
        if (prefix < MIN_PREFIX || prefix > MAX_PREFIX) {
            throw new IllegalArgumentException("prefix /" + prefix + " outside /" + MIN_PREFIX + "../" + MAX_PREFIX);
        }
        if ((network & ~mask(prefix)) != 0) {
            throw new IllegalArgumentException("host bits set in " + format(network) + "/" + prefix);
        }
    }

    /**
     * {@code cidr} as a network a tenant may use, or INVALID_ARGUMENT on {@code field} naming the rule it breaks:
     * canonical notation, prefix /16 to /29, host bits zero, unicast (not this-network, loopback, link-local,
     * multicast or reserved).
     */
    public static Subnet parse(String field, String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0 || cidr.length() > MAX_ADDRESS_CHARS + 3) {
            throw FabricException.invalidArgument(field, CIDR_RULE, cidr);
        }
        Optional<Integer> address = address(cidr.substring(0, slash));
        OptionalInt prefix = decimal(cidr.substring(slash + 1), 32);
        if (address.isEmpty() || prefix.isEmpty()) {
            throw FabricException.invalidArgument(field, CIDR_RULE, cidr);
        }
        int p = prefix.getAsInt();
        if (p < MIN_PREFIX || p > MAX_PREFIX) {
            throw FabricException.invalidArgument(field, "must have a prefix of /%d to /%d (got /%d in '%s')",
                    MIN_PREFIX, MAX_PREFIX, p, cidr);
        }
        int a = address.get();
        if ((a & ~mask(p)) != 0) {
            throw FabricException.invalidArgument(field, "must have its host bits zero: %s, not '%s'",
                    format(a & mask(p)) + "/" + p, cidr);
        }
        int first = a >>> 24;
        if (first == 0 || first == 127 || first >= 224 || (a >>> 16) == 0xa9fe) {
            throw FabricException.invalidArgument(field, "must be unicast: not in 0.0.0.0/8, 127.0.0.0/8, "
                    + "169.254.0.0/16 or 224.0.0.0/3 (got '%s')", cidr);
        }
        return new Subnet(a, p);
    }

    /** {@code value} if it is an IPv4 address in canonical dotted-quad form, else INVALID_ARGUMENT on {@code field}. */
    public static String requireAddress(String field, String value) {
        if (address(value).isEmpty()) {
            throw FabricException.invalidArgument(field, "must be an IPv4 address like 10.0.0.5, in canonical form "
                    + "(got '%s')", value);
        }
        return value;
    }

    /** How many addresses the network spans, network and broadcast addresses included. */
    public int size() {
        return 1 << (32 - prefix);
    }

    /** The addresses vNICs may have: the host addresses but the gateway's. */
    public int vnicCapacity() {
        return size() - 3;
    }

    public boolean isVnicOffset(int offset) {
        return offset >= FIRST_VNIC_OFFSET && offset <= size() - 2;
    }

    public String addressAt(int offset) {
        if (offset < 0 || offset >= size()) {
            throw new IllegalArgumentException("offset " + offset + " outside " + this);
        }
        return format(network + offset);
    }

    /** The offset of {@code ip} from the network address; empty if it is no canonical address inside the network. */
    public OptionalInt offsetOf(String ip) {
        Optional<Integer> a = address(ip);
        if (a.isEmpty() || (a.get() & mask(prefix)) != network) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(a.get() - network);
    }

    public String gatewayIp() {
        return addressAt(GATEWAY_OFFSET);
    }

    public String broadcastIp() {
        return addressAt(size() - 1);
    }

    @Override
    public String toString() {
        return format(network) + "/" + prefix;
    }

    /** The MAC of the address at {@code offset} of the network with {@code vni}. */
    public static String mac(int vni, int offset) {
        if (vni < 0 || vni > MAX_VNI) {
            throw new IllegalArgumentException("vni " + vni + " outside 0.." + MAX_VNI);
        }
        if (offset < 0 || offset > 0xffff) {
            throw new IllegalArgumentException("offset " + offset + " outside 0..65535");
        }
        return String.format("0a:%02x:%02x:%02x:%02x:%02x", vni >>> 16, (vni >>> 8) & 0xff, vni & 0xff,
                offset >>> 8, offset & 0xff);
    }

    /** The VNI and offset a fabric MAC encodes; empty for any other string. */
    public static Optional<MacParts> parseMac(String mac) {
        if (mac.length() != 17 || !mac.startsWith("0a:")) {
            return Optional.empty();
        }
        long value = 0;
        for (int i = 3; i < 17; i += 3) {
            if (i + 2 < 17 && mac.charAt(i + 2) != ':') {
                return Optional.empty();
            }
            int hi = Character.digit(mac.charAt(i), 16);
            int lo = Character.digit(mac.charAt(i + 1), 16);
            if (hi < 0 || lo < 0 || Character.isUpperCase(mac.charAt(i)) || Character.isUpperCase(mac.charAt(i + 1))) {
                return Optional.empty();
            }
            value = (value << 8) | (hi << 4) | lo;
        }
        return Optional.of(new MacParts((int) (value >>> 16), (int) (value & 0xffff)));
    }

    private static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    private static String format(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }

    /** Four decimal octets without leading zeros; length first, so no megabyte is scanned. */
    private static Optional<Integer> address(String s) {
        if (s.isEmpty() || s.length() > MAX_ADDRESS_CHARS) {
            return Optional.empty();
        }
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        int a = 0;
        for (String part : parts) {
            OptionalInt octet = decimal(part, 255);
            if (octet.isEmpty()) {
                return Optional.empty();
            }
            a = (a << 8) | octet.getAsInt();
        }
        return Optional.of(a);
    }

    /** 0..max in decimal, without sign or leading zeros. */
    private static OptionalInt decimal(String s, int max) {
        if (s.isEmpty() || s.length() > 3 || (s.length() > 1 && s.charAt(0) == '0')) {
            return OptionalInt.empty();
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return OptionalInt.empty();
            }
            v = v * 10 + (c - '0');
        }
        return v <= max ? OptionalInt.of(v) : OptionalInt.empty();
    }
}
