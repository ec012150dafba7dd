package io.hvfabric.scheduler.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MultifdChannelsTest {
    @Test
    void halfOfTheSmallerHostsCpusBetweenOneAndFour() {
        assertThat(MultifdChannels.forHosts(2, 64)).isEqualTo(1);
        assertThat(MultifdChannels.forHosts(3, 3)).isEqualTo(1);
        assertThat(MultifdChannels.forHosts(4, 8)).isEqualTo(2);
        assertThat(MultifdChannels.forHosts(6, 6)).isEqualTo(3);
        assertThat(MultifdChannels.forHosts(64, 128)).isEqualTo(4);
        assertThat(MultifdChannels.forHosts(1, 1)).isEqualTo(1);
    }

    @Test
    void unknownCpuCountLeavesItToTheAgents() {
        assertThat(MultifdChannels.forHosts(0, 8)).isZero();
    }
}
