package io.hvfabric.agent.network;

import java.util.Comparator;
import java.util.List;

/**
 * Renders the one nftables table ({@code table bridge hvfabric}) that guards every tenant bridge on this host. Pure;
 * the text replaces the table atomically ({@code nft -f}: create, delete, define, in one transaction).
 *
 * <ul>
 *   <li>Overlay boundary (first, so no later accept can skip it): DHCP and every frame from or to the anycast
 *       gateway's MAC (and ARP for its address) never cross a VXLAN port, so each host's guests are answered by their
 *       own host's DHCP server only.
 *   <li>Anti-spoofing, one chain per tap: only its own source MAC; ARP only with its own sender MAC and IP (or 0.0.0.0
 *       for a probe); RARP (QEMU announces a migrated guest's MAC with it); IPv4 only from its own address, except a
 *       DHCP client's discover/request from 0.0.0.0; never a DHCP server's reply; nothing else, so no IPv6 at all (no
 *       RA or ND spoofing: tenant networks are IPv4).
 *   <li>Frames from a tap we hold no chain for are dropped (fail closed while a tap is being added).
 *   <li>Nothing on a tenant bridge is for the host itself: the input hook drops every frame from a tap, a VXLAN
 *       port or a DHCP leg, so a guest can never reach the host's own (management, underlay) addresses. Nor does
 *       the host speak on one: the output hook drops what its own stack sends through a tenant bridge (the kernel
 *       sends IGMP reports from the bridge's MAC even without an address, which peers would otherwise learn).
 * </ul>
 */
public final class NftRuleset {
    public static final String TABLE = "hvfabric";

    private NftRuleset() {}

    /** The nft -f text; an empty spec removes the table altogether. */
    public static String render(PlaneSpec spec) {
        StringBuilder s = new StringBuilder();
        s.append("table bridge ").append(TABLE).append('\n');
        s.append("delete table bridge ").append(TABLE).append('\n');
        if (spec.networks().isEmpty() && spec.ports().isEmpty()) {
            return s.toString();
        }
        List<VsiPort> ports = spec.ports().stream().sorted(Comparator.comparing(VsiPort::tap)).toList();
        s.append("table bridge ").append(TABLE).append(" {\n");
        for (VsiPort p : ports) {
            s.append("\tchain ").append(chain(p)).append(" {\n");
            rule(s, "ether saddr != " + p.mac() + " counter drop");
            rule(s, "ether type arp arp saddr ether != " + p.mac() + " counter drop");
            rule(s, "ether type arp arp saddr ip != " + (p.ip().isEmpty() ? "0.0.0.0" : "{ 0.0.0.0, " + p.ip() + " }")
                    + " counter drop");
            rule(s, "ether type arp accept");
            rule(s, "ether type 0x8035 accept"); // RARP: QEMU's announce after a migration, so peers learn the move
            rule(s, "ether type ip udp sport 67 counter drop");
            rule(s, "ether type ip ip saddr 0.0.0.0 udp sport 68 udp dport 67 accept");
            if (!p.ip().isEmpty()) {
                rule(s, "ether type ip ip saddr " + p.ip() + " accept");
            }
            rule(s, "counter drop");
            s.append("\t}\n");
        }
        s.append("\tchain forward {\n");
        rule(s, "type filter hook forward priority filter; policy accept;");
        rule(s, "oifname \"" + NetNames.VXLAN + "*\" udp dport { 67, 68 } counter drop");
        rule(s, "iifname \"" + NetNames.VXLAN + "*\" udp dport { 67, 68 } counter drop");
        List<NetworkSpec> networks = spec.networks().values().stream()
                .sorted(Comparator.comparingInt(NetworkSpec::vni)).toList();
        for (NetworkSpec n : networks) {
            String vx = "\"" + NetNames.vxlan(n.vni()) + "\"";
            rule(s, "oifname " + vx + " ether saddr " + n.gatewayMac() + " counter drop");
            rule(s, "oifname " + vx + " ether daddr " + n.gatewayMac() + " counter drop");
            rule(s, "iifname " + vx + " ether saddr " + n.gatewayMac() + " counter drop");
            rule(s, "iifname " + vx + " ether daddr " + n.gatewayMac() + " counter drop");
            rule(s, "oifname " + vx + " ether type arp arp daddr ip " + n.gatewayIp() + " counter drop");
        }
        if (!ports.isEmpty()) {
            StringBuilder vmap = new StringBuilder("iifname vmap { ");
            for (int i = 0; i < ports.size(); i++) {
                VsiPort p = ports.get(i);
                vmap.append(i == 0 ? "" : ", ").append('"').append(p.tap()).append("\" : jump ").append(chain(p));
            }
            rule(s, vmap.append(" }").toString());
        }
        rule(s, "iifname \"" + NetNames.TAP + "*\" counter drop");
        s.append("\t}\n");
        s.append("\tchain input {\n");
        rule(s, "type filter hook input priority filter; policy accept;");
        for (String prefix : List.of(NetNames.TAP, NetNames.VXLAN, NetNames.DHCP_VETH)) {
            rule(s, "iifname \"" + prefix + "*\" counter drop");
        }
        s.append("\t}\n");
        s.append("\tchain output {\n");
        rule(s, "type filter hook output priority filter; policy accept;");
        for (String prefix : List.of(NetNames.TAP, NetNames.VXLAN, NetNames.DHCP_VETH)) {
            rule(s, "oifname \"" + prefix + "*\" counter drop");
        }
        s.append("\t}\n");
        s.append("}\n");
        return s.toString();
    }

    /**
     * The DHCP namespace's own table: its gateway address answers DHCP (and ARP, which nft's inet family does not
     * see, so unicast renewals find it) and nothing else; guests cannot ping or probe the host's DHCP server.
     */
    public static String dhcpNamespace() {
        return "table inet " + TABLE + "\n"
                + "delete table inet " + TABLE + "\n"
                + "table inet " + TABLE + " {\n"
                + "\tchain input {\n"
                + "\t\ttype filter hook input priority filter; policy drop;\n"
                + "\t\tiif \"lo\" accept\n"
                + "\t\tudp dport 67 accept\n"
                + "\t\tcounter\n"
                + "\t}\n"
                + "}\n";
    }

    /** The chain holding what {@code port}'s guest may send. */
    static String chain(VsiPort port) {
        return "from_" + port.tap();
    }

    private static void rule(StringBuilder s, String rule) {
        s.append("\t\t").append(rule).append('\n');
    }
}
