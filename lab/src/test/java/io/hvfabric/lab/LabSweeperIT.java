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

    /**
     * What an agent leaves after a crash: inside its host's namespace it added a network's namespace (mounted in the
     * agent's mount namespace only, so the root namespace sees a bare name and `ip netns pids` nobody in it), a veth
     * into it and a DHCP-like process there; another network's namespace was added from the root mount namespace.
     */
    @Test
    void sweepsTheNetworkNamespacesAnAgentCreatedAndTheProcessesInThemAfterTheAgentDied() throws Exception {
        new HostNetwork(names, shell, 0).create(1);
        String host = names.namespace(1);
        String inside = names.networkNamespace(1, 100);
        String visible = names.networkNamespace(1, 101);
        shell.run(List.of("ip", "netns", "add", visible));
        Path innerPid = dir.resolve("inner.pid");
        String agentScript = "ip netns add " + inside
                + " && ip link add hvn100 type veth peer name hvd100 netns " + inside
                + " && ip link add hvn101 type veth peer name hvd101 netns " + visible
                + " && { ip netns exec " + inside + " sh -c 'echo $$ > " + innerPid + "; exec sleep 600' & }"
                + " && exec sleep 600";
        ProcessLauncher launcher = new ProcessLauncher();
        ComponentRecord agent = launcher.start(new ComponentSpec(ComponentKind.AGENT, "host-1", "-", host,
                List.of("ip", "netns", "exec", host, "sh", "-c", agentScript), dir.resolve("logs/host-1.log").toString(),
                "600"));
        ComponentRecord dhcp = launcher.start(new ComponentSpec(ComponentKind.AGENT, "dhcp", "-", null,
                List.of("ip", "netns", "exec", visible, "sleep", "600"), dir.resolve("logs/dhcp.log").toString(), "600"));
        started.addAll(List.of(agent.pid(), dhcp.pid()));
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        while (!Files.exists(innerPid) || Files.readString(innerPid).isBlank()) {
            assertThat(System.nanoTime()).as("the agent's DHCP-like process started").isLessThan(deadline);
            Thread.sleep(50);
        }
        long inner = Long.parseLong(Files.readString(innerPid).strip());
        started.add(inner);
        assertThat(shell.run(List.of("ip", "-n", host, "-o", "link", "show"))).contains("hvn100", "hvn101");
        assertThat(shell.attempt(List.of("ip", "netns", "pids", inside)).stdout()).as("invisible from here").isBlank();
        ProcessHandle.of(agent.pid()).ifPresent(ProcessHandle::destroyForcibly); // the agent crashes
        assertThat(Processes.awaitExit(List.of(agent.pid()), java.time.Duration.ofSeconds(10))).isTrue();
        assertThat(List.of(inner, dhcp.pid())).allMatch(Processes::isAlive);

        assertThat(new LabSweeper(names, dir, shell).strays(Optional.empty())).contains(inner, dhcp.pid());
        new LabSweeper(names, dir, shell).sweep(Optional.empty());

        assertThat(started).noneMatch(Processes::isAlive);
        assertThat(HostNetwork.parseNamespaces(shell.run(List.of("ip", "netns", "list"))))
                .doesNotContain(host, inside, visible);
        assertThat(HostNetwork.existingLinks(shell, names)).isEmpty();
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
