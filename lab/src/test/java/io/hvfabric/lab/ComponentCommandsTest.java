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
        List<String> cmd = commands.scheduler("sched-1", "10.88.1.1:5000", "http://10.88.1.1:2379", "10.88.1.1:5001",
                "10.88.1.1:5002", List.of("10.88.1.1:5002", "10.88.1.1:5005"));
        assertThat(cmd).startsWith("/jdk/bin/java", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dhvf.lab=t1", "-cp");
        assertThat(cmd.get(6)).isEqualTo(repo.resolve("scheduler/target/hvfabric-scheduler-0.1.0-SNAPSHOT.jar") + ":"
                + repo.resolve("scheduler/target/lib/*"));
        assertThat(cmd.subList(7, cmd.size())).containsExactly("io.hvfabric.scheduler.SchedulerMain", "--id", "sched-1",
                "--listen", "10.88.1.1:5000", "--etcd", "http://10.88.1.1:2379", "--metrics", "10.88.1.1:5001",
                "--pekko", "10.88.1.1:5002", "--seeds", "10.88.1.1:5002,10.88.1.1:5005",
                "--tls-dir", repo.resolve("lab/tls").toString());
    }

    @Test
    void agentCommandEndsWithPassThroughArgs() {
        List<String> cmd = commands.agent("host-2", "10.88.1.12:7100", List.of("10.88.1.1:5000", "10.88.1.1:5003"),
                "10.88.1.12:9100", "10.88.1.12:25520", List.of("10.88.1.1:5002"));
        assertThat(cmd).contains("io.hvfabric.agent.AgentMain").containsSequence("--host-id", "host-2")
                .containsSequence("--schedulers", "10.88.1.1:5000,10.88.1.1:5003")
                .containsSequence("--state-dir", repo.resolve("lab/hosts/host-2").toString())
                .endsWith("--driver", "fake");
    }

    @Test
    void etcdListensOnBridgeAndLoopbackAndLogsWarningsOnly() {
        List<String> cmd = commands.etcd("10.88.1.1", 2379, 2380);
        assertThat(cmd).containsSequence("--name", "hvf-t1")
                .containsSequence("--listen-client-urls", "http://10.88.1.1:2379,http://127.0.0.1:2379")
                .containsSequence("--advertise-client-urls", "http://10.88.1.1:2379")
                .containsSequence("--initial-cluster", "hvf-t1=http://127.0.0.1:2380")
                .containsSequence("--log-level", "warn");
        assertThat(commands.etcd("127.0.0.1", 2379, 2380)).containsSequence("--listen-client-urls", "http://127.0.0.1:2379");
    }

    @Test
    void unbuiltModuleIsReportedWithTheBuildCommand() throws Exception {
        LabConfig config = LabConfig.builder().repo(new RepoLayout(repo.resolve("empty"))).dir(repo.resolve("lab")).build();
        assertThatThrownBy(() -> new ComponentCommands(config, Path.of("java")).scheduler("s", "a", "e", "m", "p", List.of()))
                .isInstanceOf(LabException.class).hasMessageContaining("scheduler:").hasMessageContaining("mvn -q -B -DskipTests package");
    }
}
