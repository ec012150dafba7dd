package io.hvfabric.agent.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NetNamesTest {
    @Test
    void networkDevicesAreNamedByVni() {
        assertThat(NetNames.bridge(100)).isEqualTo("hvb100");
        assertThat(NetNames.vxlan(16_777_215)).isEqualTo("hvx16777215").hasSizeLessThanOrEqualTo(15);
        assertThat(NetNames.dhcpVeth(100)).isEqualTo("hvd100");
        assertThat(NetNames.namespace("hvf-lab-h1-n", 100)).isEqualTo("hvf-lab-h1-n100");
        assertThatThrownBy(() -> NetNames.bridge(0)).hasMessageContaining("vni must be 1..16777215");
    }

    @Test
    void aTapNameIsStableShortAndDistinctPerVsiAndNic() {
        String longest = "a".repeat(63);
        assertThat(NetNames.tap(longest, 15)).startsWith("hvt").hasSize(14).endsWith("f");
        assertThat(NetNames.tap("web-1", 0)).isEqualTo(NetNames.tap("web-1", 0)).matches("hvt[0-9a-f]{11}");
        Set<String> names = new HashSet<>();
        for (int vsi = 0; vsi < 500; vsi++) {
            for (int nic = 0; nic < 16; nic++) {
                names.add(NetNames.tap("vm-" + vsi, nic));
            }
        }
        assertThat(names).hasSize(500 * 16);
        assertThatThrownBy(() -> NetNames.tap("web-1", 16)).hasMessageContaining("nic index must be 0..15");
        assertThatThrownBy(() -> NetNames.tap("Not_A_Label", 0)).hasMessageContaining("name");
    }

    @Test
    void theIfbOfATapSharesItsSuffix() {
        String tap = NetNames.tap("web-1", 2);
        assertThat(NetNames.ifb(tap)).isEqualTo("hvi" + tap.substring(3));
    }

    @Test
    void aVniIsReadBackOnlyFromExactlyPrefixThenDigits() {
        assertThat(NetNames.vniOf("hvb", "hvb100")).hasValue(100);
        assertThat(NetNames.vniOf("hvf-lab-h1-n", "hvf-lab-h1-n7")).hasValue(7);
        assertThat(NetNames.vniOf("hvf-lab-h1-n", "hvf-lab-h10-n7")).isEmpty(); // another host's namespace
        assertThat(NetNames.vniOf("hvb", "hvb")).isEmpty();
        assertThat(NetNames.vniOf("hvb", "hvb0100")).isEmpty();
        assertThat(NetNames.vniOf("hvb", "hvb10x")).isEmpty();
        assertThat(NetNames.vniOf("hvb", "hvb0")).isEmpty();
        assertThat(NetNames.vniOf("hvb", "hvb999999999")).isEmpty();
    }
}
