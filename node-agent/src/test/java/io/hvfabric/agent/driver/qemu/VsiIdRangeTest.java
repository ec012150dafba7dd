package io.hvfabric.agent.driver.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VsiIdRangeTest {
    @Test
    void parsesFirstDashLast() {
        VsiIdRange r = VsiIdRange.parse("200000-265535");
        assertThat(r).isEqualTo(VsiIdRange.DEFAULT);
        assertThat(r.size()).isEqualTo(65_536);
        assertThat(r.contains(200_000)).isTrue();
        assertThat(r.contains(265_535)).isTrue();
        assertThat(r.contains(265_536)).isFalse();
        assertThat(r.contains(199_999)).isFalse();
        assertThat(r).hasToString("200000-265535");
        assertThat(VsiIdRange.parse("5000-5000").size()).isEqualTo(1);
    }

    @Test
    void refusesMalformedSystemAndOverflowingRangesWithTheRule() {
        for (String bad : new String[] {"", "200000", "200000-", "a-b", "-5-10", "300000-200000", "0-65535", "999-2000",
                "2000-2147483647", "2000-99999999999"}) {
            assertThatThrownBy(() -> VsiIdRange.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be FIRST-LAST with 1000 <= FIRST <= LAST <= 2147483646");
        }
    }
}
