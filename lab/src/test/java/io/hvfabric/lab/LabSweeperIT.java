package io.hvfabric.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `down` after a crashed `up`: a real etcd, a process inside a host namespace and a stray under DIR/hosts,
 * with the state file gone; the sweep must find each by naming convention alone.
 */
@Timeout(90)
class LabSweeperIT {
    @TempDir
    Path dir;

    private final CommandRunner shell = new CommandRunner();
    private final List<Long> started = new ArrayList<>();
    private LabNames names;

    @BeforeEach
    void linuxRootWithEtcd() {
        assumeTrue(Platform.isLinuxRoot(), "needs root on Linux");
        assumeTrue(shell.attempt(List.of("sh", "-c", "command -v etcd")).ok(), "needs etcd (bin/install-deps)");
        names = new LabNames("s" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36));
    }

    @AfterEach
    void cleanUp() {
        if (names != null) {
            Processes.terminate(started, java.time.Duration.ofSeconds(1));
            new HostNetwork(names, shell, 0).destroy();
        }
    }

    @Test
    void sweepsProcessesAndNetworkOfACrashedLabWithoutItsStateFile() throws Exception {
        HostNetwork network = new HostNetwork(names, shell, 0);
        network.create(1);
        // Plaintext: this test is about finding etcd by its member name, not about its certificates.
        LabConfig config = LabConfig.builder().hosts(1).dir(dir).name(names.name()).repo(new RepoLayout(dir))
                .insecure(true).build();
        ProcessLauncher launcher = new ProcessLauncher();
        ComponentCommands commands = new ComponentCommands(config, Platform.javaBinary());
        ComponentSpec etcdSpec = new EtcdLauncher(commands, new PortAllocator()).spec(dir.resolve("logs").toString(),
                names.etcdMemberName());
        ComponentRecord etcd = launcher.start(etcdSpec);
        started.add(etcd.pid());
        EtcdLauncher.awaitHealthy(etcd, new Etcdctl(commands.etcdUrl(etcdSpec.address()), null, shell));
        ComponentRecord inHost = launcher.start(new ComponentSpec(ComponentKind.AGENT, "host-1", "-", names.namespace(1),
                List.of("ip", "netns", "exec", names.namespace(1), "sleep", "600"), dir.resolve("logs/host-1.log").toString(),
                "600"));
        Path console = Files.createDirectories(dir.resolve("hosts/host-1/vsi")).resolve("console.log");
        Files.writeString(console, "");
        ComponentRecord guestLike = launcher.start(new ComponentSpec(ComponentKind.AGENT, "guest", "-", null,
                List.of("tail", "-f", console.toString()), dir.resolve("logs/guest.log").toString(), "tail"));
        started.addAll(List.of(inHost.pid(), guestLike.pid()));
        assertThat(started).allMatch(Processes::isAlive);

        new LabSweeper(names, dir, shell).sweep(Optional.empty());

        assertThat(started).noneMatch(Processes::isAlive);
        assertThat(HostNetwork.existingNamespaces(shell, names)).isEmpty();
        assertThat(HostNetwork.existingLinks(shell, names)).isEmpty();
        assertThat(dir.resolve("etcd")).doesNotExist();
        assertThat(dir.resolve("hosts")).doesNotExist();
        assertThat(dir.resolve("logs/etcd.log")).exists();
    }

    @Test
    void recordedPidOfAnotherProcessIsNotKilled() throws Exception {
        Process unrelated = new ProcessBuilder("sleep", "600").start();
        started.add(unrelated.pid());
        ComponentRecord stale = new ComponentRecord(new ComponentSpec(ComponentKind.SCHEDULER, "sched-1", "-", null,
                List.of("java"), dir.resolve("logs/sched-1.log").toString(), "sched-1"), unrelated.pid(),
                Processes.startTicks(unrelated.pid()).orElse(0));
        LabState state = new LabState(names.name(), dir.toString(), "loopback", 0, true, 1, null, List.of(), null,
                List.of(), List.of(stale));

        new LabSweeper(names, dir, shell).sweep(Optional.of(state));

        assertThat(Processes.isAlive(unrelated.pid())).as("a pid whose command line lacks the marker").isTrue();
    }
}
