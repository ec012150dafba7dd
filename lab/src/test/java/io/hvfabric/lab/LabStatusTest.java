package io.hvfabric.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LabStatusTest {
    private static ComponentRecord record(ComponentKind kind, String id, long pid) {
        return new ComponentRecord(new ComponentSpec(kind, id, "127.0.0.1:1", null, List.of("x"), "/l/" + id + ".log", id),
                pid, 0);
    }

    private static LabState state(int hosts, ComponentRecord... components) {
        return new LabState("lab", "/d", "loopback", 0, true, hosts, null, List.of(), null, List.of(), List.of(components));
    }

    @Test
    void liveProcessesOfAFullLabAreHealthy() {
        long self = ProcessHandle.current().pid();
        LabStatus status = LabStatus.of(state(1, record(ComponentKind.ETCD, "etcd", self), record(ComponentKind.AGENT, "host-1", self)));
        assertThat(status.components()).allMatch(LabStatus.Component::alive);
        assertThat(status.missingAgents()).isZero();
        assertThat(status.healthy()).isTrue();
    }

    @Test
    void agentsNeverStartedMakeTheLabUnhealthyEvenIfAllRecordedAreAlive() {
        long self = ProcessHandle.current().pid();
        LabStatus status = LabStatus.of(state(3, record(ComponentKind.ETCD, "etcd", self), record(ComponentKind.AGENT, "host-1", self)));
        assertThat(status.allAlive()).isTrue();
        assertThat(status.missingAgents()).isEqualTo(2);
        assertThat(status.healthy()).isFalse();
    }

    @Test
    void deadProcessIsReportedNotAlive() {
        LabStatus status = LabStatus.of(state(0, record(ComponentKind.ETCD, "etcd", Long.MAX_VALUE / 2)));
        assertThat(status.components()).singleElement().extracting(LabStatus.Component::alive).isEqualTo(false);
        assertThat(status.healthy()).isFalse();
    }
}
