package io.hvfabric.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hvfabric.lab.ComponentKind;
import io.hvfabric.lab.ComponentRecord;
import io.hvfabric.lab.Lab;
import io.hvfabric.lab.LabConfig;
import io.hvfabric.lab.LabState;
import io.hvfabric.lab.LabStatus;
import io.hvfabric.lab.RepoLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/** The lab as an operator runs it: real etcd, two schedulers, three agents in their own network namespaces. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabIT {
    private static final int HOSTS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String name;
    private static Path dir;
    private static Lab lab;

    @BeforeAll
    static void up() throws IOException {
        // A unique short name: parallel runs and leftovers of other labs never collide with this one.
        name = "t" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
        // Under target/: `down` keeps the logs there for a failure's post-mortem, and mvn clean removes them.
        dir = Files.createDirectories(Path.of("target", "labit-" + name)).toAbsolutePath();
        lab = Lab.up(LabConfig.builder().hosts(HOSTS).dir(dir).name(name).readyTimeout(Duration.ofSeconds(150)).build());
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.down();
        } else if (dir != null) {
            Lab.sweep(dir, name);
        }
    }

    @Test
    @Order(1)
    void hvctlListsEveryHostReady() throws Exception {
        JsonNode hosts = hvctlHosts();
        assertThat(hosts).hasSize(HOSTS);
        assertThat(hosts).allSatisfy(h -> assertThat(h.path("state").asText()).isEqualTo("READY"));
        assertThat(hosts).extracting(h -> h.path("id").asText()).containsExactlyInAnyOrder("host-1", "host-2", "host-3");
    }

    @Test
    @Order(2)
    void statusListsEtcdTwoSchedulersAndTheAgentsAlive() {
        LabStatus status = lab.status();
        assertThat(status.components()).allSatisfy(c -> assertThat(c.alive()).as(c.id()).isTrue());
        assertThat(status.components()).filteredOn(c -> c.kind() == ComponentKind.ETCD).hasSize(1);
        assertThat(status.components()).filteredOn(c -> c.kind() == ComponentKind.SCHEDULER)
                .extracting(LabStatus.Component::id).containsExactlyInAnyOrder("sched-1", "sched-2");
        assertThat(status.components()).filteredOn(c -> c.kind() == ComponentKind.AGENT).hasSize(HOSTS);
        if (isRoot()) {
            assertThat(lab.hostNamespaces()).containsExactly(ns(1), ns(2), ns(3));
            assertThat(lab.hostNamespace("host-2")).contains(ns(2));
        }
    }

    @Test
    @Order(4)
    void aKilledAgentRestartsAndIsReadyAgain() {
        lab.kill9("host-2");
        assertThat(lab.isAlive("host-2")).isFalse();
        assertThat(lab.status().allAlive()).isFalse();

        lab.restart("host-2");
        assertThat(lab.isAlive("host-2")).isTrue();
        lab.awaitHostsReady(Duration.ofSeconds(90));
        assertThat(lab.status().allAlive()).isTrue();
    }

    @Test
    @Order(5)
    void downLeavesNoProcessNamespaceOrLinkBehind() throws Exception {
        List<Long> pids = lab.components().stream().map(c -> c.pid()).toList();
        lab.down();

        assertThat(pids).noneMatch(LabIT::running);
        assertThat(taggedProcesses()).isEmpty();
        assertThat(LabState.load(dir)).isEmpty();
        assertThat(dir.resolve("logs")).isDirectory();
        if (isRoot()) {
            assertThat(run("ip", "netns", "list")).doesNotContain("hvf-" + name + "-");
            assertThat(run("ip", "-o", "link", "show")).doesNotContain("hvf" + name);
        }
        lab.down(); // idempotent
    }

    /** Read from each running process's own command line: the key directory it was given holds its keys only. */
    @Test
    @Order(3)
    void everyProcessIsGivenOnlyItsOwnKeysAndNoneTheCaKey() throws IOException {
        for (ComponentRecord component : lab.components()) {
            List<String> args = Arrays.asList(Files.readString(Path.of("/proc/" + component.pid() + "/cmdline"))
                    .split("\0"));
            List<Path> keyFiles = new ArrayList<>();
            for (int i = 0; i + 1 < args.size(); i++) {
                if (args.get(i).matches("--(tls-dir|etcd-cert|etcd-key|key-file|cert-file|trusted-ca-file)")) {
                    Path given = Path.of(args.get(i + 1));
                    keyFiles.addAll(Files.isDirectory(given) ? list(given) : List.of(given));
                }
            }
            assertThat(keyFiles).as(component.id()).isNotEmpty()
                    .allSatisfy(f -> assertThat(f.getFileName().toString()).as(component.id())
                            .matches(ownFile(component)));
        }
    }

    /** ca.crt, and NAME.crt/.key (a host also NAME-migration.*), where etcd's member certificate is "etcd". */
    private static String ownFile(ComponentRecord component) {
        String own = component.kind() == ComponentKind.ETCD ? "etcd" : component.id();
        return "ca\\.crt|" + java.util.regex.Pattern.quote(own) + "(-migration)?\\.(crt|key)";
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    private static String ns(int host) {
        return "hvf-" + name + "-h" + host;
    }

    private static JsonNode hvctlHosts() throws Exception {
        Path hvctl = RepoLayout.locate().root().resolve("bin/hvctl");
        List<String> cmd = new ArrayList<>(List.of(hvctl.toString(), "host", "list", "-o", "json"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
        pb.environment().putAll(lab.hvctlEnvironment());
        pb.environment().put("HVF_LAB_DIR", dir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("hvctl host list: " + err).isZero();
        JsonNode root = JSON.readTree(out);
        return root.isArray() ? root : root.path("hosts");
    }

    private static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return false;
        }
    }

    /** Live processes whose command line carries this lab's JVM tag or etcd member name. */
    private static List<Long> taggedProcesses() throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+")).map(Long::parseLong)
                    .filter(LabIT::running).filter(pid -> {
                        List<String> args = cmdline(pid);
                        return args.contains("-Dhvf.lab=" + name) || args.contains("hvf-" + name);
                    }).toList();
        }
    }

    private static List<String> cmdline(long pid) {
        try {
            return Arrays.asList(new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8).split("\0"));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
