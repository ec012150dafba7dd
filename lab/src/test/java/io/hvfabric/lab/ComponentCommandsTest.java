package io.hvfabric.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class ComponentCommandsTest {
    @TempDir
    Path repo;

    private ComponentCommands commands;

    @BeforeEach
    void builtModules() throws Exception {
        for (String module : List.of("scheduler", "node-agent")) {
            Path target = Files.createDirectories(repo.resolve(module).resolve("target").resolve("lib"));
            Files.createFile(target.getParent().resolve("hvfabric-" + module + "-0.1.0-SNAPSHOT.jar"));
        }
        LabConfig config = LabConfig.builder().repo(new RepoLayout(repo)).dir(repo.resolve("lab")).name("t1")
                .agentArgs(List.of("--driver", "fake")).build();
        commands = new ComponentCommands(config, Path.of("/jdk/bin/java"));
    }

    @Test
    void schedulerCommandCarriesTagFlagsAndTls() {
        List<String> cmd = commands.scheduler("sched-1", "10.88.1.1:5000", "https://127.0.0.1:2379", "10.88.1.1:5001",
                "10.88.1.1:5002", List.of("10.88.1.1:5002", "10.88.1.1:5005"));
        assertThat(cmd).startsWith("/jdk/bin/java", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dhvf.lab=t1", "-cp");
        assertThat(cmd.get(6)).isEqualTo(repo.resolve("scheduler/target/hvfabric-scheduler-0.1.0-SNAPSHOT.jar") + ":"
                + repo.resolve("scheduler/target/lib/*"));
        Path tls = repo.resolve("lab/tls/sched-1");
        assertThat(cmd.subList(7, cmd.size())).containsExactly("io.hvfabric.scheduler.SchedulerMain", "--id", "sched-1",
                "--listen", "10.88.1.1:5000", "--etcd", "https://127.0.0.1:2379", "--metrics", "10.88.1.1:5001",
                "--pekko", "10.88.1.1:5002", "--seeds", "10.88.1.1:5002,10.88.1.1:5005",
                "--tls-dir", tls.toString(),
                "--etcd-ca", tls.resolve("ca.crt").toString(), "--etcd-cert", tls.resolve("sched-1.crt").toString(),
                "--etcd-key", tls.resolve("sched-1.key").toString());
    }

    @Test
    void insecureSchedulerDialsPlaintextEtcdWithoutCertificates() {
        List<String> cmd = insecure().scheduler("sched-1", "127.0.0.1:5000", "http://127.0.0.1:2379", "127.0.0.1:5001",
                "127.0.0.1:5002", List.of("127.0.0.1:5002"));
        assertThat(cmd).contains("--insecure").doesNotContain("--etcd-ca", "--etcd-cert", "--etcd-key", "--tls-dir");
    }

    private static final LabNetwork NAMESPACES = new HostNetwork(new LabNames("t1"), new CommandRunner(), 1);

    private static List<String> agent(ComponentCommands commands, LabNetwork network) {
        return commands.agent("host-2", 2, network, "10.88.1.12:7100", List.of("10.88.1.1:5000", "10.88.1.1:5003"),
                "10.88.1.12:9100", "10.88.1.12:25520", List.of("10.88.1.1:5002"));
    }

    @Test
    void agentCommandEndsWithPassThroughArgs() {
        List<String> cmd = agent(commands, NAMESPACES);
        assertThat(cmd).contains("io.hvfabric.agent.AgentMain").containsSequence("--host-id", "host-2")
                .containsSequence("--schedulers", "10.88.1.1:5000,10.88.1.1:5003")
                .containsSequence("--state-dir", repo.resolve("lab/hosts/host-2").toString())
                .containsSequence("--tls-dir", repo.resolve("lab/tls/host-2").toString())
                .endsWith("--driver", "fake");
    }

    @Test
    void anAgentInItsOwnNamespaceRunsTheOverlayOnEth0WithLabNamedNetworkNamespaces() {
        List<String> cmd = agent(commands, NAMESPACES);
        assertThat(cmd).contains("--network-namespace-prefix=hvf-t1-h2-n", "--underlay-dev=eth0")
                .noneMatch(arg -> arg.startsWith("--overlay"));
        assertThat(new LabNames("t1").isNamespace(new LabNames("t1").networkNamespace(2, 4097))).isTrue();
    }

    @Test
    void loopbackAgentsShareOneNamespaceSoTheOverlayIsOff() {
        List<String> cmd = agent(commands, new LoopbackNetwork());
        assertThat(cmd).contains("--overlay=off")
                .noneMatch(arg -> arg.startsWith("--network-namespace-prefix") || arg.startsWith("--underlay-dev"));
    }

    @Test
    void aPassThroughOverlayFlagReplacesTheLabsOwn() {
        LabConfig config = LabConfig.builder().repo(new RepoLayout(repo)).dir(repo.resolve("lab")).name("t1")
                .agentArgs(List.of("--overlay", "on", "--underlay-dev=lab0")).build();
        ComponentCommands custom = new ComponentCommands(config, Path.of("/jdk/bin/java"));

        assertThat(agent(custom, new LoopbackNetwork())).doesNotContain("--overlay=off").endsWith("--overlay", "on",
                "--underlay-dev=lab0");
        assertThat(agent(custom, NAMESPACES)).contains("--network-namespace-prefix=hvf-t1-h2-n")
                .doesNotContain("--underlay-dev=eth0");
    }

    @Test
    void etcdServesTlsWithClientCertificatesOnLoopbackOnlyAndLogsWarningsOnly() {
        List<String> cmd = commands.etcd(2379, 2380);
        Path tls = repo.resolve("lab/tls/etcd");
        assertThat(cmd).containsSequence("--name", "hvf-t1")
                .containsSequence("--listen-client-urls", "https://127.0.0.1:2379")
                .containsSequence("--advertise-client-urls", "https://127.0.0.1:2379")
                .containsSequence("--listen-peer-urls", "https://127.0.0.1:2380")
                .containsSequence("--initial-cluster", "hvf-t1=https://127.0.0.1:2380")
                .containsSequence("--cert-file", tls.resolve("etcd.crt").toString(), "--key-file",
                        tls.resolve("etcd.key").toString(), "--client-cert-auth", "--trusted-ca-file",
                        tls.resolve("ca.crt").toString())
                .containsSequence("--peer-cert-file", tls.resolve("etcd.crt").toString(), "--peer-key-file",
                        tls.resolve("etcd.key").toString(), "--peer-client-cert-auth", "--peer-trusted-ca-file",
                        tls.resolve("ca.crt").toString())
                .containsSequence("--log-level", "warn");
        assertThat(commands.etcdUrl("127.0.0.1:2379")).isEqualTo("https://127.0.0.1:2379");
    }

    @Test
    void insecureEtcdIsPlaintextOnLoopback() {
        ComponentCommands plain = insecure();
        assertThat(plain.etcd(2379, 2380)).containsSequence("--listen-client-urls", "http://127.0.0.1:2379")
                .containsSequence("--initial-cluster", "hvf-t1=http://127.0.0.1:2380")
                .noneMatch(arg -> arg.contains("cert") || arg.contains("key-file"));
        assertThat(plain.etcdUrl("127.0.0.1:2379")).isEqualTo("http://127.0.0.1:2379");
    }

    private ComponentCommands insecure() {
        LabConfig config = LabConfig.builder().repo(new RepoLayout(repo)).dir(repo.resolve("lab")).name("t1")
                .insecure(true).build();
        return new ComponentCommands(config, Path.of("/jdk/bin/java"));
    }

    @Test
    void unbuiltModuleIsReportedWithTheBuildCommand() throws Exception {
        LabConfig config = LabConfig.builder().repo(new RepoLayout(repo.resolve("empty"))).dir(repo.resolve("lab")).build();
        assertThatThrownBy(() -> new ComponentCommands(config, Path.of("java")).scheduler("s", "a", "e", "m", "p", List.of()))
                .isInstanceOf(LabException.class).hasMessageContaining("scheduler:").hasMessageContaining("mvn -q -B -DskipTests package");
    }
}
