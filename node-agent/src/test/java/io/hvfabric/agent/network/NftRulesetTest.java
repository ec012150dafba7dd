package io.hvfabric.agent.network;

import static io.hvfabric.agent.network.Fixtures.network;
import static io.hvfabric.agent.network.Fixtures.nic;
import static io.hvfabric.agent.network.Fixtures.vsi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

class NftRulesetTest {
    private static final PlaneSpec SPEC = PlaneSpec.of(
            List.of(NetworkSpec.of(network(100).build()), NetworkSpec.of(network(101).build())),
            List.of(vsi("web-1", nic(100, "0a:00:00:64:00:05", "10.0.0.5", 0)),
                    vsi("db-1", nic(101, "0a:00:00:65:00:07", "", 0))),
            new HashMap<>());
    private static final String WEB = NetNames.tap("web-1", 0);
    private static final String DB = NetNames.tap("db-1", 0);

    @Test
    void theTableIsReplacedAtomically() {
        String text = NftRuleset.render(SPEC);
        assertThat(text).startsWith("table bridge hvfabric\ndelete table bridge hvfabric\ntable bridge hvfabric {\n");
        assertThat(NftRuleset.render(SPEC)).isEqualTo(text); // stable: re-applied only on change
    }

    @Test
    void aTapMaySendOnlyAsItsOwnMacAndIp() {
        String chain = chain(NftRuleset.render(SPEC), "from_" + WEB);
        assertThat(chain.lines().map(String::strip)).containsExactly(
                "ether saddr != 0a:00:00:64:00:05 counter drop",
                "ether type arp arp saddr ether != 0a:00:00:64:00:05 counter drop",
                "ether type arp arp saddr ip != { 0.0.0.0, 10.0.0.5 } counter drop",
                "ether type arp accept",
                "ether type 0x8035 accept",
                "ether type ip udp sport 67 counter drop",
                "ether type ip ip saddr 0.0.0.0 udp sport 68 udp dport 67 accept",
                "ether type ip ip saddr 10.0.0.5 accept",
                "counter drop");
        // no address: DHCP discovery and ARP probes only
        assertThat(chain(NftRuleset.render(SPEC), "from_" + DB)).doesNotContain("ip saddr 10.")
                .contains("arp saddr ip != 0.0.0.0 counter drop");
    }

    @Test
    void theOverlayBoundaryComesBeforeAnyTapAccept() {
        String forward = chain(NftRuleset.render(SPEC), "forward");
        int boundary = forward.indexOf("oifname \"hvx*\" udp dport { 67, 68 } counter drop");
        int gateway = forward.indexOf("oifname \"hvx100\" ether saddr 0a:00:00:64:00:01 counter drop");
        int taps = forward.indexOf("iifname vmap {");
        assertThat(boundary).isNotNegative();
        assertThat(gateway).isGreaterThan(boundary);
        assertThat(taps).isGreaterThan(gateway);
        assertThat(forward).contains("iifname \"hvx101\" ether daddr 0a:00:00:65:00:01 counter drop",
                "oifname \"hvx100\" ether type arp arp daddr ip 10.0.0.1 counter drop",
                "\"" + DB + "\" : jump from_" + DB, "\"" + WEB + "\" : jump from_" + WEB);
        assertThat(forward.strip()).endsWith("iifname \"hvt*\" counter drop"); // a tap without a chain: fail closed
    }

    @Test
    void theHostNeitherHearsNorSpeaksOnTenantBridges() {
        String text = NftRuleset.render(SPEC);
        assertThat(chain(text, "input")).contains("type filter hook input", "iifname \"hvt*\" counter drop",
                "iifname \"hvx*\" counter drop", "iifname \"hvd*\" counter drop");
        assertThat(chain(text, "output")).contains("type filter hook output", "oifname \"hvt*\" counter drop",
                "oifname \"hvx*\" counter drop", "oifname \"hvd*\" counter drop");
    }

    @Test
    void nothingToGuardRemovesTheTable() {
        assertThat(NftRuleset.render(PlaneSpec.EMPTY))
                .isEqualTo("table bridge hvfabric\ndelete table bridge hvfabric\n");
    }

    @Test
    void theDhcpNamespaceAnswersDhcpOnly() {
        assertThat(NftRuleset.dhcpNamespace()).contains("policy drop;", "udp dport 67 accept")
                .doesNotContain("icmp");
    }

    /** nft itself accepts the texts (a dry run: nothing is changed). */
    @Test
    void nftAcceptsThem() {
        assumeTrue(OverlayProbe.effectiveUid() == 0 && CommandRunner.available("nft"), "needs root and nft");
        for (String text : List.of(NftRuleset.render(SPEC), NftRuleset.dhcpNamespace())) {
            CommandResult r = CommandRunner.local().attempt(List.of("nft", "-c", "-f", "-"), text);
            assertThat(r.ok()).as(r.stderr()).isTrue();
        }
    }

    private static String chain(String text, String name) {
        int start = text.indexOf("\tchain " + name + " {\n");
        assertThat(start).as("chain " + name).isNotNegative();
        int body = text.indexOf('\n', start) + 1;
        return text.substring(body, text.indexOf("\t}\n", body));
    }
}
