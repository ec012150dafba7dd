package io.hvfabric.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LabSweeperTest {
    private final LabSweeper sweeper = new LabSweeper(new LabNames("lab"), Path.of("/tmp/l"), new CommandRunner());

    @Test
    void recognisesTheLabsOwnProcessesOnly() {
        assertThat(sweeper.belongsToLab(List.of("/jdk/bin/java", "-Xmx256m", "-Dhvf.lab=lab", "-cp", "x"))).isTrue();
        assertThat(sweeper.belongsToLab(List.of("/jdk/bin/java", "-Dhvf.lab=lab1", "-cp", "x"))).isFalse();
        assertThat(sweeper.belongsToLab(List.of("etcd", "--name", "hvf-lab", "--data-dir", "/x"))).isTrue();
        assertThat(sweeper.belongsToLab(List.of("/usr/bin/etcd", "--name", "hvf-lab2"))).isFalse();
        assertThat(sweeper.belongsToLab(List.of("qemu-system-x86_64", "-pidfile", "/tmp/l/hosts/host-1/vsi/a.pid"))).isTrue();
        assertThat(sweeper.belongsToLab(List.of("qemu-system-x86_64", "-pidfile", "/tmp/l2/hosts/host-1/a.pid"))).isFalse();
        assertThat(sweeper.belongsToLab(List.of("vim", "--name", "hvf-lab"))).isFalse();
    }
}
