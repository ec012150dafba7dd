package io.hvfabric.scheduler.vsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.proto.v1.GuestStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuestStateExporterTest {
    @Test
    void everyStateIsCountedWithZerosForTheEmptyOnes() {
        var counts = GuestStateExporter.count(List.of(GuestStatus.State.UP, GuestStatus.State.UP,
                GuestStatus.State.STATE_UNSPECIFIED));

        assertThat(counts).containsEntry(GuestStatus.State.UP, 2)
                .containsEntry(GuestStatus.State.STATE_UNSPECIFIED, 1)
                .containsEntry(GuestStatus.State.BOOTING, 0)
                .containsEntry(GuestStatus.State.NO_AGENT, 0)
                .containsEntry(GuestStatus.State.UNRESPONSIVE, 0)
                .doesNotContainKey(GuestStatus.State.UNRECOGNIZED);
        assertThat(GuestStateExporter.label(GuestStatus.State.STATE_UNSPECIFIED)).isEqualTo("UNKNOWN");
        assertThat(GuestStateExporter.label(GuestStatus.State.NO_AGENT)).isEqualTo("NO_AGENT");
    }
}
