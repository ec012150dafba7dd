package io.hvfabric.agent.network;

import static io.hvfabric.agent.network.Fixtures.network;
import static io.hvfabric.agent.network.Fixtures.peer;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FdbPlanTest {
    private static final String SELF = "10.88.1.11";
    private static final String B = "10.88.1.12";
    private static final String C = "10.88.1.13";
    private static final String M1 = "0a:00:00:64:00:05";
    private static final String M2 = "0a:00:00:64:00:06";
    private static final Duration GRACE = Duration.ofSeconds(30);

    private static final FdbPlan.Desired DESIRED = FdbPlan.Desired.of(NetworkSpec.of(network(100)
            .addPeers(peer("b", B, M1)).addPeers(peer("c", C, M2)).build()), SELF);

    @Test
    void desiredIsOneFloodEntryPerPeerAndOneEntryPerPeerMacNeverTowardsItself() {
        FdbPlan.Desired d = FdbPlan.Desired.of(NetworkSpec.of(network(100).addPeers(peer("self", SELF, "0a:00:00:64:00:09"))
                .addPeers(peer("b", B, M1)).addPeers(peer("c", C, M1, M2)).build()), SELF);
        assertThat(d.flood()).containsExactly(B, C);
        assertThat(d.macs()).containsExactly(Map.entry(M1, B), Map.entry(M2, C)); // a MAC listed twice: first owner
    }

    @Test
    void anEmptyDeviceGetsEverything() {
        FdbPlan.Plan plan = FdbPlan.diff(DESIRED, List.of(), Map.of(), GRACE);
        assertThat(plan.batch("hvx100")).containsExactly(
                "fdb append 00:00:00:00:00:00 dev hvx100 dst " + B,
                "fdb append 00:00:00:00:00:00 dev hvx100 dst " + C,
                "fdb replace " + M1 + " dev hvx100 dst " + B + " dynamic",
                "fdb replace " + M2 + " dev hvx100 dst " + C + " dynamic");
        assertThat(plan.written()).isEqualTo(Map.of(M1, B, M2, C));
    }

    @Test
    void aConvergedDeviceNeedsNothing() {
        List<FdbEntry> now = List.of(flood(B), flood(C), learned(M1, B, 100), learned(M2, C, 3));
        FdbPlan.Plan plan = FdbPlan.diff(DESIRED, now, Map.of(M1, B, M2, C), GRACE);
        assertThat(plan.isEmpty()).isTrue();
        assertThat(plan.written()).isEqualTo(Map.of(M1, B, M2, C));
    }

    @Test
    void entriesOfPeersAndMacsNoLongerDesiredGo() {
        String gone = "10.88.1.14";
        String old = "0a:00:00:64:00:07";
        List<FdbEntry> now = List.of(flood(B), flood(C), flood(gone), learned(M1, B, 100), learned(M2, C, 100),
                learned(old, gone, 1), learned("0a:00:00:64:00:08", B, 1));
        FdbPlan.Plan plan = FdbPlan.diff(DESIRED, now, Map.of(M1, B, M2, C, "0a:00:00:64:00:08", B), GRACE);
        assertThat(plan.batch("hvx100")).containsExactlyInAnyOrder(
                "fdb del 00:00:00:00:00:00 dev hvx100 dst " + gone,
                "fdb del " + old + " dev hvx100 dst " + gone, // learned, but from no peer of ours
                "fdb del 0a:00:00:64:00:08 dev hvx100 dst " + B); // ours, and no longer desired
    }

    @Test
    void aChangedDesiredEntryIsRepointedAtOnce() {
        List<FdbEntry> now = List.of(flood(B), flood(C), learned(M1, B, 0), learned(M2, B, 0));
        FdbPlan.Plan plan = FdbPlan.diff(DESIRED, now, Map.of(M1, B, M2, B), GRACE); // M2 moved from B to C
        assertThat(plan.batch("hvx100")).containsExactly("fdb replace " + M2 + " dev hvx100 dst " + C + " dynamic");
    }

    /** The kernel learned M1 at C (its RARP after a migration) before the desired state says so. */
    @Test
    void aMoveTheKernelLearnedIsKeptWhileDesiredIsUnchangedAndForAtMostTheGrace() {
        List<FdbEntry> now = List.of(flood(B), flood(C), learned(M1, C, 2), learned(M2, C, 100));
        FdbPlan.Plan kept = FdbPlan.diff(DESIRED, now, Map.of(M1, B, M2, C), GRACE);
        assertThat(kept.isEmpty()).isTrue();
        assertThat(kept.written()).containsEntry(M1, B); // still what we wrote: a later change of desired wins

        List<FdbEntry> later = List.of(flood(B), flood(C), learned(M1, C, 31), learned(M2, C, 100));
        assertThat(FdbPlan.diff(DESIRED, later, Map.of(M1, B, M2, C), GRACE).batch("hvx100"))
                .containsExactly("fdb replace " + M1 + " dev hvx100 dst " + B + " dynamic");
    }

    @Test
    void afterARestartDesiredSimplyWins() {
        List<FdbEntry> now = List.of(flood(B), flood(C), learned(M1, C, 2), learned(M2, C, 2));
        assertThat(FdbPlan.diff(DESIRED, now, Map.of(), GRACE).batch("hvx100"))
                .containsExactly("fdb replace " + M1 + " dev hvx100 dst " + B + " dynamic");
    }

    @Test
    void aStaticEntryIsNeverTakenForALearnedMove() {
        List<FdbEntry> now = List.of(flood(B), flood(C), new FdbEntry(M1, C, false, 1), learned(M2, C, 1));
        assertThat(FdbPlan.diff(DESIRED, now, Map.of(M1, B, M2, C), GRACE).point())
                .containsExactly(new FdbEntry(M1, B, true, 0));
    }

    @Test
    void aMacLearnedRecentlyFromAPeerStaysUntilTheDesiredStateNamesIt() {
        String fresh = "0a:00:00:64:00:0a";
        List<FdbEntry> now = List.of(flood(B), flood(C), learned(M1, B, 1), learned(M2, C, 1), learned(fresh, C, 5));
        assertThat(FdbPlan.diff(DESIRED, now, Map.of(M1, B, M2, C), GRACE).isEmpty()).isTrue();
        List<FdbEntry> stale = List.of(flood(B), flood(C), learned(M1, B, 1), learned(M2, C, 1), learned(fresh, C, 40));
        assertThat(FdbPlan.diff(DESIRED, stale, Map.of(M1, B, M2, C), GRACE).delete())
                .containsExactly(learned(fresh, C, 40));
    }

    @Test
    void severalVtepsForOneMacAreReplacedByOne() {
        List<FdbEntry> now = List.of(flood(B), flood(C), learned(M1, B, 1), learned(M1, C, 1), learned(M2, C, 1));
        FdbPlan.Plan plan = FdbPlan.diff(DESIRED, now, Map.of(M1, B, M2, C), GRACE);
        assertThat(plan.delete()).containsExactly(learned(M1, B, 1), learned(M1, C, 1));
        assertThat(plan.point()).containsExactly(new FdbEntry(M1, B, true, 0));
        assertThat(plan.batch("hvx100").get(0)).startsWith("fdb del"); // deletes go first
    }

    @Test
    void theDevicesOwnEntriesAreParsedFromBridgeJson() {
        String json = "[{\"mac\":\"a6:af:19:3c:32:d6\",\"used\":0,\"updated\":0,\"flags\":[],\"master\":\"hvb100\","
                + "\"state\":\"permanent\"},{\"mac\":\"0a:00:00:64:00:05\",\"dst\":\"10.88.1.12\",\"used\":3,"
                + "\"updated\":7,\"flags\":[\"self\"],\"state\":\"\"},{\"mac\":\"00:00:00:00:00:00\","
                + "\"dst\":\"10.88.1.12\",\"flags\":[\"self\"],\"state\":\"permanent\"}]";
        assertThat(VxlanFdb.parse(json)).containsExactly(new FdbEntry("0a:00:00:64:00:05", "10.88.1.12", true, 7),
                new FdbEntry(FdbEntry.FLOOD, "10.88.1.12", false, 0));
        assertThat(VxlanFdb.parse("")).isEmpty();
        String all = "[{\"mac\":\"33:33:00:00:00:01\",\"ifname\":\"eth0\",\"flags\":[\"self\"],\"state\":\"permanent\"},"
                + "{\"mac\":\"00:00:00:00:00:00\",\"ifname\":\"hvx100\",\"dst\":\"10.88.1.12\",\"state\":\"permanent\"},"
                + "{\"mac\":\"00:00:00:00:00:00\",\"ifname\":\"hvx101\",\"dst\":\"10.88.1.13\",\"state\":\"permanent\"}]";
        assertThat(VxlanFdb.parseByDevice(all)).containsOnlyKeys("hvx100", "hvx101")
                .containsEntry("hvx101", List.of(new FdbEntry(FdbEntry.FLOOD, "10.88.1.13", false, 0)));
        assertThat(Set.of(FdbEntry.FLOOD)).allMatch(m -> new FdbEntry(m, B, false, 0).flood());
    }

    private static FdbEntry flood(String dst) {
        return new FdbEntry(FdbEntry.FLOOD, dst, false, 100);
    }

    private static FdbEntry learned(String mac, String dst, long updated) {
        return new FdbEntry(mac, dst, true, updated);
    }
}
