package io.hvfabric.scheduler.drain;

import static io.hvfabric.scheduler.drain.HostLoadBuilder.host;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ClusterSnapshotTest {

    @Test
    void aMoveReleasesOnTheSourceAndReservesOnTheTarget() {
        ClusterSnapshot cluster = ClusterSnapshot.of(List.of(
                host("a").vsi("v1", 2, 4_096, "g", 0).vsi("v2", 1, 1_024, "g2", 0).build(),
                host("b").vsi("v3", 1, 1_024).build()));

        ClusterSnapshot after = cluster.withMove("v1", "b");

        assertThat(after.hostOf("v1")).contains("b");
        assertThat(after.requireHost("a").host().allocated().memoryMib()).isEqualTo(1_024);
        assertThat(after.requireHost("a").host().antiAffinityGroups()).containsExactly("g2");
        assertThat(after.requireHost("b").host().allocated().vcpus()).isEqualTo(3);
        assertThat(after.requireHost("b").host().antiAffinityGroups()).containsExactly("g");
        assertThat(cluster.hostOf("v1")).as("snapshots are immutable").contains("a");
    }

    @Test
    void aGroupStaysWhileAnotherMemberRemains() {
        ClusterSnapshot cluster = ClusterSnapshot.of(List.of(
                host("a").vsi("v1", 1, 1_024, "g", 0).build(), host("b").build()));
        // Two members on one host cannot be built through placement, but the snapshot must not lose the group
        // because of one departure if another VSI still carries it.
        HostLoad a = cluster.requireHost("a");
        HostLoad twice = a.with(new VsiLoad("v2", a.vsis().get(0).demand(), "g", 0));

        assertThat(twice.without(twice.vsis().get(0)).host().antiAffinityGroups()).containsExactly("g");
    }

    @Test
    void duplicatesAndUnknownNamesAreRejectedWithTheName() {
        assertThatThrownBy(() -> ClusterSnapshot.of(List.of(host("a").build(), host("a").build())))
                .hasMessageContaining("'a' appears twice");
        assertThatThrownBy(() -> ClusterSnapshot.of(
                        List.of(host("a").vsi("v", 1, 1).build(), host("b").vsi("v", 1, 1).build())))
                .hasMessageContaining("vsi 'v'");
        ClusterSnapshot cluster = ClusterSnapshot.of(List.of(host("a").vsi("v", 1, 1).build(), host("b").build()));
        assertThatThrownBy(() -> cluster.withMove("nope", "b")).hasMessageContaining("'nope'");
        assertThatThrownBy(() -> cluster.withMove("v", "zz")).hasMessageContaining("'zz'");
        assertThatThrownBy(() -> cluster.withMove("v", "a")).hasMessageContaining("already runs");
    }
}
