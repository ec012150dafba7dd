package io.hvfabric.scheduler.placement.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DomainValidationTest {

    private static final Capacity SOME = Capacity.of(1, 1, 1, 0);

    @Test
    void requestNeedsNameAndDemand() {
        assertThatThrownBy(() -> PlacementRequest.of(" ", SOME)).hasMessageContaining("vsiName must be non-blank");
        assertThatThrownBy(() -> PlacementRequest.of("a", null)).hasMessageContaining("demand must be set");
    }

    @Test
    void requestRejectsBlankOptionalFields() {
        assertThatThrownBy(() -> new PlacementRequest("a", SOME, null, "", null, null, null))
                .hasMessageContaining("requiredHost must be null or non-blank");
    }

    @Test
    void requestCopiesExclusions() {
        Set<String> excluded = new HashSet<>(Set.of("h1"));
        var request = new PlacementRequest("a", SOME, null, null, null, null, excluded);
        excluded.add("h2");

        assertThat(request.excludedHosts()).containsExactly("h1");
        assertThat(new PlacementRequest("a", SOME, null, null, null, null, null).excludedHosts()).isEmpty();
    }

    @Test
    void hostNeedsIdStateAndCapacities() {
        assertThatThrownBy(() -> new HostCandidate("", HostState.READY, true, null, null, SOME, SOME, null, null))
                .hasMessageContaining("HostCandidate.id");
        assertThatThrownBy(() -> new HostCandidate("h1", null, true, null, null, SOME, SOME, null, null))
                .hasMessageContaining("HostCandidate.state must be set (host 'h1')");
        assertThatThrownBy(() -> new HostCandidate("h1", HostState.READY, true, null, null, SOME, null, null, null))
                .hasMessageContaining("allocated");
    }

    @Test
    void withPlacedAddsDemandAndGroup() {
        var host = new HostCandidate("h1", HostState.READY, true, null, null, Capacity.of(8, 8, 8, 8), SOME, null, null);

        var after = host.withPlaced(Capacity.of(2, 2, 2, 2), "db");

        assertThat(after.allocated()).isEqualTo(Capacity.of(3, 3, 3, 2));
        assertThat(after.antiAffinityGroups()).containsExactly("db");
        assertThat(host.antiAffinityGroups()).isEmpty();
    }
}
