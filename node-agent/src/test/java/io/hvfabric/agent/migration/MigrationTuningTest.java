package io.hvfabric.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.migration.MigrationPolicy;
import io.hvfabric.migration.PolicyConfig;
import io.hvfabric.proto.v1.MigrationObjective;
import org.junit.jupiter.api.Test;

class MigrationTuningTest {
    // As on these hosts: post-copy unavailable (it would exclude multifd).
    private static final MigrationPolicy POLICY =
            new MigrationPolicy(PolicyConfig.defaults().toBuilder().postcopyAllowed(false).build());
    private static final MigrationObjective DEFAULT = MigrationObjective.getDefaultInstance();

    @Test
    void zeroChannelsKeepsTheAgentsPolicy() {
        MigrationTuning t = MigrationTuning.plan(POLICY, DEFAULT, 1024, 0);
        assertThat(t.sourceCapabilities()).containsEntry("multifd", true);
        assertThat(t.targetParameters()).containsEntry("multifd-channels", PolicyConfig.defaults().multifdChannels());
    }

    @Test
    void oneChannelMeansOneStreamOnBothSides() {
        MigrationTuning t = MigrationTuning.plan(POLICY, DEFAULT, 1024, 1);
        assertThat(t.sourceCapabilities()).containsEntry("multifd", false);
        assertThat(t.targetCapabilities()).containsEntry("multifd", false);
        assertThat(t.targetParameters()).doesNotContainKey("multifd-channels");
    }

    @Test
    void theSchedulersChannelCountCapsThePolicys() {
        assertThat(MigrationTuning.plan(POLICY, DEFAULT, 1024, 2).targetParameters())
                .containsEntry("multifd-channels", 2);
        assertThat(MigrationTuning.plan(POLICY, DEFAULT, 1024, 64).targetParameters())
                .containsEntry("multifd-channels", PolicyConfig.defaults().multifdChannels());
    }

    @Test
    void bothSidesAskQemuForMigrationEvents() {
        MigrationTuning t = MigrationTuning.plan(POLICY, DEFAULT, 256, 1);
        assertThat(t.sourceCapabilities()).containsEntry("events", true);
        assertThat(t.targetCapabilities()).containsEntry("events", true);
    }

    @Test
    void outOfRangeChannelCountIsNamed() {
        assertThatThrownBy(() -> MigrationTuning.plan(POLICY, DEFAULT, 256, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multifd_channels");
    }
}
