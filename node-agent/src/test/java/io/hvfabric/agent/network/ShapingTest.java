package io.hvfabric.agent.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShapingTest {
    private static final String TAP = NetNames.tap("web-1", 0);
    private static final String IFB = NetNames.ifb(TAP);

    @Test
    void anUnshapedTapNeedsNothing() {
        assertThat(Shaping.commands(TAP, 0, List.of(noqueue(TAP)), List.of(), false)).isEmpty();
    }

    @Test
    void aShapedTapGetsATokenBucketEachWay() {
        assertThat(Shaping.commands(TAP, 100, List.of(), List.of(), false)).extracting(c -> String.join(" ", c.argv()))
                .containsExactly(
                        "ip link add " + IFB + " type ifb",
                        "ip link set dev " + IFB + " up",
                        "tc qdisc replace dev " + TAP + " root tbf rate 100mbit burst 65536 latency 20ms",
                        "tc qdisc replace dev " + IFB + " root tbf rate 100mbit burst 65536 latency 20ms",
                        "tc qdisc del dev " + TAP + " ingress",
                        "tc qdisc add dev " + TAP + " handle ffff: ingress",
                        "tc filter add dev " + TAP + " parent ffff: protocol all prio 1 u32 match u32 0 0 action mirred"
                                + " egress redirect dev " + IFB);
        assertThat(Shaping.commands(TAP, 10_000, List.of(), List.of(), true).get(1).argv()).contains("5000000");
    }

    @Test
    void aTapShapedAsWantedIsLeftAloneAndADifferentRateIsReapplied() {
        List<Shaping.Qdisc> tap = List.of(tbf(TAP, 12_500_000), new Shaping.Qdisc(TAP, "ingress", false, 0));
        List<Shaping.Qdisc> ifb = List.of(tbf(IFB, 12_500_000));
        assertThat(Shaping.commands(TAP, 100, tap, ifb, true)).isEmpty();
        assertThat(Shaping.commands(TAP, 200, tap, ifb, true)).isNotEmpty()
                .noneMatch(c -> c.argv().contains("add") && c.argv().contains("ifb"));
        assertThat(Shaping.commands(TAP, 100, List.of(tbf(TAP, 12_500_000)), ifb, true)).isNotEmpty(); // no ingress
    }

    @Test
    void shapingThatIsNoLongerWantedIsRemoved() {
        List<Shaping.Qdisc> tap = List.of(tbf(TAP, 12_500_000), new Shaping.Qdisc(TAP, "ingress", false, 0));
        assertThat(Shaping.commands(TAP, 0, tap, List.of(), true)).allMatch(Shaping.Command::mayFail)
                .extracting(c -> String.join(" ", c.argv())).containsExactly(
                        "tc qdisc del dev " + TAP + " root", "tc qdisc del dev " + TAP + " ingress",
                        "ip link del " + IFB);
    }

    @Test
    void qdiscsAreParsedFromTcJson() {
        String json = "[{\"kind\":\"noqueue\",\"handle\":\"0:\",\"dev\":\"lo\",\"root\":true,\"refcnt\":2,\"options\":{}},"
                + "{\"kind\":\"tbf\",\"handle\":\"8003:\",\"dev\":\"hvt1\",\"root\":true,\"refcnt\":2,"
                + "\"options\":{\"rate\":12500000,\"burst\":65525,\"lat\":20000}},"
                + "{\"kind\":\"ingress\",\"handle\":\"ffff:\",\"dev\":\"hvt1\",\"parent\":\"ffff:fff1\",\"options\":{}}]";
        assertThat(Shaping.parse(json).get("hvt1")).containsExactly(new Shaping.Qdisc("hvt1", "tbf", true, 12_500_000),
                new Shaping.Qdisc("hvt1", "ingress", false, 0));
    }

    private static Shaping.Qdisc tbf(String dev, long rate) {
        return new Shaping.Qdisc(dev, "tbf", true, rate);
    }

    private static Shaping.Qdisc noqueue(String dev) {
        return new Shaping.Qdisc(dev, "noqueue", true, 0);
    }
}
