package io.hvfabric.agent.network;

import io.hvfabric.common.validation.VsiSpecRules;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.OptionalInt;

/**
 * The one place that names the data plane's kernel objects. Every name is derived from stable inputs (VNI, VSI name,
 * nic index), so a restarted agent finds what it made, a migration target makes the same tap name as the source, and
 * the sweep can tell ours from anyone else's by prefix. Linux limits interface names to 15 characters.
 */
public final class NetNames {
    public static final String BRIDGE = "hvb";
    public static final String VXLAN = "hvx";
    public static final String DHCP_VETH = "hvd";
    public static final String TAP = "hvt";
    public static final String IFB = "hvi";
    /** The DHCP namespace's leg of the veth; alone in its namespace, so only the VNI matters. */
    static final String DHCP_INSIDE = "hvg";
    static final int MAX_VNI = (1 << 24) - 1;
    private static final int TAP_HASH_HEX = 10;

    private NetNames() {}

    public static String bridge(int vni) {
        return BRIDGE + checkVni(vni);
    }

    public static String vxlan(int vni) {
        return VXLAN + checkVni(vni);
    }

    public static String dhcpVeth(int vni) {
        return DHCP_VETH + checkVni(vni);
    }

    static String dhcpInside(int vni) {
        return DHCP_INSIDE + checkVni(vni);
    }

    public static String namespace(String prefix, int vni) {
        return prefix + checkVni(vni);
    }

    /**
     * {@code hvt} + 10 hex digits of SHA-256(vsi) + the nic index in hex: 14 characters. VSI names are DNS labels of up
     * to 63 characters, so they cannot be used whole; 40 bits make a clash on one host vanishingly unlikely, and
     * {@link PlaneSpec} refuses one rather than sharing a tap. The tap's alias carries the readable name.
     */
    public static String tap(String vsi, int index) {
        if (index < 0 || index >= VsiSpecRules.MAX_NICS) {
            throw new IllegalArgumentException("nic index must be 0.." + (VsiSpecRules.MAX_NICS - 1) + ", got "
                    + index);
        }
        return TAP + sha256Hex(VsiSpecRules.name(vsi)).substring(0, TAP_HASH_HEX) + Integer.toHexString(index);
    }

    /** The IFB device that shapes what the guest behind {@code tap} sends: same suffix, another prefix. */
    public static String ifb(String tap) {
        if (!tap.startsWith(TAP)) {
            throw new IllegalArgumentException("not a tap name: " + tap);
        }
        return IFB + tap.substring(TAP.length());
    }

    /** The VNI in {@code name} if it is {@code prefix} followed by a VNI, else empty. */
    public static OptionalInt vniOf(String prefix, String name) {
        if (!name.startsWith(prefix) || name.length() == prefix.length() || name.length() - prefix.length() > 8) {
            return OptionalInt.empty();
        }
        String digits = name.substring(prefix.length());
        if (!digits.chars().allMatch(c -> c >= '0' && c <= '9') || (digits.length() > 1 && digits.charAt(0) == '0')) {
            return OptionalInt.empty();
        }
        int vni = Integer.parseInt(digits);
        return vni >= 1 && vni <= MAX_VNI ? OptionalInt.of(vni) : OptionalInt.empty();
    }

    static int checkVni(int vni) {
        if (vni < 1 || vni > MAX_VNI) {
            throw new IllegalArgumentException("vni must be 1.." + MAX_VNI + ", got " + vni);
        }
        return vni;
    }

    private static String sha256Hex(String s) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
