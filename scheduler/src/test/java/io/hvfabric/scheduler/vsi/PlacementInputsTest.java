package io.hvfabric.scheduler.vsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.proto.v1.AliveRecord;
import io.hvfabric.proto.v1.HostAllocation;
import io.hvfabric.proto.v1.HostCapabilities;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.Resources;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.view.ViewFeed;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The candidates a create decides on: the view, the leader's pending writes over it, and nothing stale. */
class PlacementInputsTest {
    private final ViewFeed feed = new ViewFeed();
    private final PlacementInputs inputs = new PlacementInputs(feed.view(), List::of);

    @BeforeEach
    void hosts() {
        for (String id : List.of("h1", "h2")) {
            feed.put(Keys.Kind.HOST, id, HostRecord.newBuilder().setId(id).setAddress(id + ":7002")
                    .setCapacity(Resources.newBuilder().setVcpus(8).setMemoryMib(8192))
                    .setCapabilities(HostCapabilities.newBuilder().setAccelerator("tcg")).build());
            feed.put(Keys.Kind.ALIVE, id, AliveRecord.newBuilder().setLeaseId(1).build());
        }
    }

    @Test
    void aReusedCandidateFollowsEveryChangeOfTheRecordsItWasBuiltFrom() {
        assertThat(allocatedVcpus(inputs.candidatesFor(Optional.empty(), Map.of(), Map.of()), "h1")).isZero();
        assertThat(ready(inputs.candidatesFor(Optional.empty(), Map.of(), Map.of()), "h1")).isTrue();

        feed.put(Keys.Kind.HOST_ALLOCATION, "h1", allocation(3));
        assertThat(allocatedVcpus(inputs.candidatesFor(Optional.empty(), Map.of(), Map.of()), "h1")).isEqualTo(3);

        feed.delete(Keys.Kind.ALIVE, "h1");
        assertThat(ready(inputs.candidatesFor(Optional.empty(), Map.of(), Map.of()), "h1")).isFalse();
    }

    @Test
    void pendingAllocationsAndVsisOfTheGroupAreLaidOverTheView() {
        feed.put(Keys.Kind.HOST_ALLOCATION, "h1", allocation(3));
        VsiRecord pendingWeb = VsiRecord.newBuilder().setHost("h2")
                .setSpec(VsiSpec.newBuilder().setName("web-2").setAntiAffinityGroup("web")).build();

        List<HostCandidate> candidates = inputs.candidatesFor(Optional.of("web"),
                Map.of("h1", Optional.of(allocation(5))), Map.of("web-2", Optional.of(pendingWeb)));

        assertThat(allocatedVcpus(candidates, "h1")).isEqualTo(5);
        assertThat(host(candidates, "h2").antiAffinityGroups()).containsExactly("web");
        assertThat(host(candidates, "h1").antiAffinityGroups()).isEmpty();
        // Without the pending writes, the view's own state again (nothing cached from the overlay).
        assertThat(allocatedVcpus(inputs.candidatesFor(Optional.empty(), Map.of(), Map.of()), "h1")).isEqualTo(3);
    }

    private static HostAllocation allocation(int vcpus) {
        return HostAllocation.newBuilder().setAllocated(Resources.newBuilder().setVcpus(vcpus)).build();
    }

    private static long allocatedVcpus(List<HostCandidate> candidates, String id) {
        return host(candidates, id).allocated().vcpus();
    }

    private static boolean ready(List<HostCandidate> candidates, String id) {
        return host(candidates, id).schedulable();
    }

    private static HostCandidate host(List<HostCandidate> candidates, String id) {
        return candidates.stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }
}
