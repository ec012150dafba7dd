package io.hvfabric.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hvfabric.lab.RepoLayout;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The Ansible playbooks applied for real, over ssh, to three hosts on this machine (ansible/tests/testhosts: each a
 * network namespace with its own address and sshd, its own hostname, and its own /etc, /var, /opt, /root and
 * /usr/local; PID 1 is no systemd there, so the roles run their units under supervisord):
 * <ul>
 *   <li>ctl-1: the etcd member (TLS for clients and peers, RBAC, snapshots), scheduler sched-1, Prometheus;</li>
 *   <li>node-1: scheduler sched-2 and an agent; node-2: an agent, added later by add-host.yml.</li>
 * </ul>
 * In order: site.yml --check --diff on the new hosts, site.yml, add-host.yml, site.yml again (changed=0), then
 * upgrade.yml rolling a new release out. The fabric is the one Ansible installed (supervisord runs what the units
 * say), never bin/lab's. Everything goes with the hosts afterwards, also when a step fails; the services' logs and
 * every ansible-playbook output stay in target/ansible-it-NAME/.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
// About 10 minutes on this 2-core machine, part of every bin/test (alone: bin/test -Dit.test=AnsibleDeployIT).
class AnsibleDeployIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PLAYBOOK_TIMEOUT = Duration.ofMinutes(10);
    private static final Pattern RECAP = Pattern.compile(
            "^(\\S+)\\s+: ok=(\\d+)\\s+changed=(\\d+)\\s+unreachable=(\\d+)\\s+failed=(\\d+)", Pattern.MULTILINE);

    private static final Path OUTSIDE_THE_OVERLAYS = Path.of("/srv/hvfabric-it");
    private static Path repo;
    private static Path dir;
    private static Map<String, String> addresses;

    @BeforeAll
    static void hosts() throws IOException {
        assumeTrue(isRoot(), "needs root: network namespaces, mounts");
        repo = RepoLayout.locate().root();
        String name = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
        // Under target/ (mvn clean removes it, bin/test sweeps leftovers) unless the checkout lies where every host
        // mounts its own copy (/tmp, /root, ...): then in /srv, linked from target/ for the logs and the sweep.
        Path target = Files.createDirectories(repo.resolve("integration-tests/target"));
        if (visibleInTheHosts(target.toRealPath())) {
            dir = Files.createDirectories(target.resolve("ansible-it-" + name));
        } else {
            dir = Files.createDirectories(OUTSIDE_THE_OVERLAYS.resolve("ansible-it-" + name));
            Files.createSymbolicLink(target.resolve("ansible-it-" + name), dir);
        }
        run(Duration.ofMinutes(5), "package", repo.resolve("bin/package").toString(), "--out", dir.resolve("dist").toString());
        run(Duration.ofMinutes(1), "testhosts-up", testhosts(), "up", dir.toString(), "ctl-1", "node-1", "node-2");
        addresses = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dir.resolve("hosts.tsv"))) {
            String[] f = line.split("\t");
            addresses.put(f[0], f[1]);
        }
        writeInventory("initial.yml", false);
        writeInventory("hosts.yml", true);
    }

    @AfterAll
    static void down() throws IOException {
        if (dir != null) {
            run(Duration.ofMinutes(2), "testhosts-down", testhosts(), "down", dir.toString());
            if (dir.startsWith(OUTSIDE_THE_OVERLAYS)) { // no mvn clean reaches it: keep the logs, not the keys
                for (String secret : List.of("pki", "dist", "ssh")) {
                    deleteTree(dir.resolve(secret));
                }
            }
        }
    }

    /** What testhosts overlays or replaces in each host (ansible/tests/testhosts): a DIR there is not shared. */
    private static boolean visibleInTheHosts(Path path) {
        return Stream.of("/tmp", "/run", "/etc", "/var", "/opt", "/root", "/usr/local")
                .noneMatch(root -> path.startsWith(root));
    }

    private static void deleteTree(Path root) throws IOException {
        if (Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    @Order(1)
    void checkModeOnNewHostsPassesAndChangesNothing() throws IOException {
        String out = playbook("1-check", "initial.yml", "site.yml", "--check", "--diff");
        assertThat(recap(out)).containsKeys("ctl-1", "node-1");
        assertThat(recap(out).values()).allSatisfy(r -> assertThat(r.changed()).isPositive());
        assertThat(dir.resolve("pki")).doesNotExist();
        assertThat(ssh("ctl-1", "ls /etc/hvfabric /opt/hvfabric /etc/supervisor/conf.d 2>&1 || true"))
                .doesNotContain("scheduler").doesNotContain("tls");
    }

    @Test
    @Order(2)
    void siteDeploysAFabricWhoseAgentIsReady() throws IOException {
        playbook("2-site", "initial.yml", "site.yml");
        assertThat(hostStates()).containsExactlyEntriesOf(Map.of("node-1", "READY"));
        // What runs is what Ansible installed: supervisord started the units' ExecStart from /opt/hvfabric.
        assertThat(ssh("ctl-1", "supervisorctl status")).containsPattern("etcd\\s+RUNNING")
                .containsPattern("hvf-scheduler\\s+RUNNING").containsPattern("hvf-etcd-backup\\s+RUNNING")
                .containsPattern("prometheus\\s+RUNNING");
        assertThat(ssh("node-1", "supervisorctl status")).containsPattern("hvf-agent\\s+RUNNING")
                .containsPattern("hvf-scheduler\\s+RUNNING");
        assertThat(ssh("node-1", "tr '\\0' ' ' < /proc/$(supervisorctl pid hvf-agent)/cmdline"))
                .contains("@/etc/hvfabric/agent.jvm io.hvfabric.agent.AgentMain @/etc/hvfabric/agent.args");
        assertThat(ssh("ctl-1", "cat /etc/systemd/system/hvf-scheduler.service"))
                .contains("ExecStart=/usr/bin/java @/etc/hvfabric/scheduler.jvm io.hvfabric.scheduler.SchedulerMain"
                        + " @/etc/hvfabric/scheduler.args").contains("Restart=on-failure").contains("User=hvfabric");
    }

    @Test
    @Order(3)
    void keysAreOnlyWhereTheyBelongAndNeverWorldReadable() {
        assertThat(ssh("node-1", "stat -c '%n %a %U' /etc/hvfabric/tls/* /etc/hvfabric/tls/*/*")).contains(
                "/etc/hvfabric/tls/node-1 700 root", "/etc/hvfabric/tls/node-1/node-1.key 600 root",
                "/etc/hvfabric/tls/node-1/node-1-migration.key 600 root", "/etc/hvfabric/tls/sched-2 700 hvfabric",
                "/etc/hvfabric/tls/sched-2/sched-2.key 600 hvfabric");
        assertThat(ssh("ctl-1", "stat -c '%n %a %U' /etc/hvfabric/tls/*/*.key")).contains(
                "/etc/hvfabric/tls/sched-1/sched-1.key 600 hvfabric",
                "/etc/hvfabric/tls/etcd-ctl-1/etcd-ctl-1.key 600 etcd");
        // The CA's key, etcd's root and the operator's stay on the control node: no key file on a host holds their bytes.
        List<String> secrets = new ArrayList<>();
        for (String key : List.of("ca.key", "root.key", "operator.key")) {
            secrets.add(sha256(dir.resolve("pki/ca").resolve(key)));
        }
        for (String host : addresses.keySet()) {
            String keys = ssh(host, "find /etc /opt /var /usr/local /root /run /tmp -type f -name '*.key'"
                    + " -exec sha256sum {} + 2>/dev/null");
            if (!host.equals("node-2")) { // node-2 joins later, by add-host.yml: nothing of the fabric's is there yet
                assertThat(keys).as(host).contains("/etc/hvfabric/tls/");
            }
            assertThat(keys.lines().map(l -> l.split("\\s+")[0]).toList()).as(host).doesNotContainAnyElementsOf(secrets);
        }
    }

    @Test
    @Order(4)
    void etcdServesTheSchedulersOnlyAndTakesSnapshots() {
        String etcd = "https://" + addresses.get("ctl-1") + ":2379";
        Path ca = dir.resolve("pki/ca");
        List<String> base = List.of("etcdctl", "--endpoints", etcd, "--cacert", ca.resolve("ca.crt").toString());
        assertThat(etcdctl(base, ca, "sched-1", "get", "--prefix", "--keys-only", "/hvf/v1/hosts/"))
                .contains("/hvf/v1/hosts/node-1");
        assertThat(etcdctl(base, ca, "sched-1", "get", "/elsewhere")).contains("permission denied");
        assertThat(etcdctl(base, ca, "node-1", "get", "--prefix", "/hvf/v1/")).contains("permission denied");
        assertThat(etcdctl(base, ca, "operator", "get", "--prefix", "/hvf/v1/")).contains("permission denied");
        String backup = ssh("ctl-1", "runuser -u etcd -- /usr/local/sbin/hvf-etcd-backup 2>/dev/null"
                + " && ls /var/backups/etcd && stat -c '%a %U' /var/backups/etcd");
        assertThat(backup).containsPattern("snapshot-\\d{8}T\\d{6}Z\\.db").contains("700 etcd");
    }

    @Test
    @Order(5)
    void addHostBringsASecondAgentReadyAndIntoPrometheus() throws Exception {
        playbook("5-add-host", "hosts.yml", "add-host.yml", "-e", "hvf_new_hosts=node-2");
        assertThat(hostStates()).containsExactlyInAnyOrderEntriesOf(Map.of("node-1", "READY", "node-2", "READY"));
        JsonNode targets = awaitTargetsUp(Duration.ofSeconds(60));
        assertThat(targets.findValuesAsText("scrapeUrl")).contains(
                "http://" + addresses.get("node-2") + ":9310/metrics", "http://" + addresses.get("node-1") + ":9310/metrics",
                "http://" + addresses.get("ctl-1") + ":9300/metrics", "http://" + addresses.get("node-1") + ":9300/metrics",
                "http://" + addresses.get("ctl-1") + ":2381/metrics");
        assertThat(ssh("ctl-1", "promtool check rules /etc/prometheus/rules/hvfabric-alerts.yml")).contains("SUCCESS");
    }

    @Test
    @Order(6)
    void aSecondRunChangesNothing() throws IOException {
        String out = playbook("6-site-again", "hosts.yml", "site.yml");
        Map<String, Recap> recap = recap(out);
        assertThat(recap).containsKeys("ctl-1", "node-1", "node-2", "localhost");
        assertThat(recap.values()).allSatisfy(r -> assertThat(r.changed()).as(r.host()).isZero());
    }

    @Test
    @Order(7)
    void upgradeRollsANewReleaseOutHostByHost() throws IOException {
        String before = ssh("node-1", "readlink /opt/hvfabric/node-agent/current");
        // A new release: the same jars and one more file, so a new archive checksum.
        for (String component : List.of("scheduler", "node-agent")) {
            run(Duration.ofMinutes(2), "repackage-" + component, "bash", "-c",
                    "set -euo pipefail; cd '" + dir.resolve("dist") + "'; a=hvfabric-" + component
                            + "-0.1.0-SNAPSHOT.tar; gunzip -c $a.gz > $a; echo upgrade > UPGRADE;"
                            + " tar --append --owner=0 --group=0 --mtime=@0 -f $a UPGRADE; gzip -n -f $a; rm UPGRADE");
        }
        String leader = hvctlJson("cluster", "status").path("leader").asText();
        String out = playbook("7-upgrade", "hosts.yml", "upgrade.yml");
        assertThat(recap(out).values()).allSatisfy(r -> assertThat(r.failed()).isZero());
        String after = ssh("node-1", "readlink /opt/hvfabric/node-agent/current");
        assertThat(after).isNotEqualTo(before).startsWith("releases/0.1.0-SNAPSHOT-");
        for (String host : List.of("node-1", "node-2")) {
            assertThat(ssh(host, "readlink /opt/hvfabric/node-agent/current; test -f /opt/hvfabric/node-agent/current/UPGRADE"
                    + " && echo upgraded")).as(host).contains(after.strip()).contains("upgraded");
        }
        for (String host : List.of("ctl-1", "node-1")) {
            assertThat(ssh(host, "test -f /opt/hvfabric/scheduler/current/UPGRADE && echo upgraded")).as(host)
                    .contains("upgraded");
        }
        // Followers first, the leader last; each agent host drained before and uncordoned after its restart.
        String leaderHost = leader.equals("sched-1") ? "ctl-1" : "node-1";
        String followerHost = leader.equals("sched-1") ? "node-1" : "ctl-1";
        int followers = out.indexOf("PLAY [Upgrade the follower replicas");
        int leading = out.indexOf("PLAY [Upgrade the leading replica");
        assertThat(followers).isPositive().isLessThan(leading);
        assertThat(out.substring(followers, leading)).contains("[" + followerHost + "]").doesNotContain("[" + leaderHost + "]");
        for (String host : List.of("node-1", "node-2")) {
            assertThat(out).contains("TASK [hvf_operations : Drain " + host + "]", "TASK [hvf_operations : Uncordon " + host + "]");
        }
        assertThat(hostStates()).containsExactlyInAnyOrderEntriesOf(Map.of("node-1", "READY", "node-2", "READY"));
    }

    // --- helpers ---

    private static String testhosts() {
        return repo.resolve("ansible/tests/testhosts").toString();
    }

    /** The test's inventory: initial.yml without node-2 (site.yml), hosts.yml with it (add-host.yml and later). */
    private static void writeInventory(String file, boolean withNode2) throws IOException {
        Path ssh = dir.resolve("ssh");
        List<String> lines = new ArrayList<>(List.of(
                "# AnsibleDeployIT: ctl-1 runs etcd, sched-1 and Prometheus; node-1 sched-2 and an agent; node-2 an agent.",
                "all:",
                "  vars:",
                "    ansible_user: root",
                "    ansible_ssh_private_key_file: " + ssh.resolve("id"),
                "    ansible_ssh_common_args: -o UserKnownHostsFile=" + ssh.resolve("known_hosts")
                        + " -o StrictHostKeyChecking=yes",
                "    hvf_cluster_name: ansible-it",
                "    hvf_pki_dir: " + dir.resolve("pki"),
                "    hvf_release_dir: " + dir.resolve("dist"),
                "    # Two cores for everything: the lab's small heaps; TCG without the KVM boot check (10 s per agent).",
                "    hvf_jvm_flags: [-Xmx256m, -XX:+UseSerialGC, -XX:TieredStopAtLevel=1]",
                "    hvf_agent_accel: tcg",
                "    # The hosts share this machine's packages (bin/install-deps installed them): no apt-get update.",
                "    hvf_base_apt_cache_valid_time: 315360000",
                "    hvf_etcd_backup_delay: 10",
                "  children:",
                "    etcd:",
                "      hosts:",
                "        ctl-1: {ansible_host: " + addresses.get("ctl-1") + "}",
                "    hvf_schedulers:",
                "      hosts:",
                "        ctl-1: {hvf_scheduler_id: sched-1}",
                "        node-1: {hvf_scheduler_id: sched-2}",
                "    hvf_agents:",
                "      hosts:",
                "        node-1: {ansible_host: " + addresses.get("node-1") + "}"));
        if (withNode2) {
            lines.add("        node-2: {ansible_host: " + addresses.get("node-2") + "}");
        }
        lines.addAll(List.of("    hvf_monitoring:", "      hosts:", "        ctl-1:"));
        Files.write(dir.resolve(file), lines);
    }

    /** Runs ansible-playbook; its whole output goes to DIR/LOG.log; insists on exit code 0. */
    private static String playbook(String log, String inventory, String playbook, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ansible-playbook", "-i", dir.resolve(inventory).toString(), playbook));
        cmd.addAll(List.of(args));
        long start = System.nanoTime();
        Outcome o = exec(PLAYBOOK_TIMEOUT, log, repo.resolve("ansible"), cmd);
        System.out.printf("AnsibleDeployIT: %s took %d s%n", String.join(" ", cmd.subList(3, cmd.size())),
                Duration.ofNanos(System.nanoTime() - start).toSeconds());
        assertThat(o.exitCode()).as("ansible-playbook %s exited %d; its output is in %s; the end:%n%s", playbook,
                o.exitCode(), dir.resolve(log + ".log"), tail(o.output(), 60)).isZero();
        return o.output();
    }

    record Recap(String host, int ok, int changed, int unreachable, int failed) {}

    private static Map<String, Recap> recap(String output) {
        Map<String, Recap> recaps = new LinkedHashMap<>();
        Matcher m = RECAP.matcher(output.substring(Math.max(0, output.lastIndexOf("PLAY RECAP"))));
        while (m.find()) {
            recaps.put(m.group(1), new Recap(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5))));
        }
        return recaps;
    }

    /** hvctl as the operator of the deployed fabric, from this machine (the control node). */
    private static JsonNode hvctlJson(String... args) {
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("bin/hvctl").toString(), "-o", "json"));
        cmd.addAll(List.of(args));
        Outcome o = exec(Duration.ofMinutes(1), null, repo, cmd);
        assertThat(o.exitCode()).as("hvctl %s: %s", String.join(" ", args), o.output()).isZero();
        try {
            return JSON.readTree(o.output());
        } catch (IOException e) {
            throw new UncheckedIOException("hvctl printed no JSON: " + o.output(), e);
        }
    }

    private static Map<String, String> hostStates() {
        Map<String, String> states = new LinkedHashMap<>();
        hvctlJson("host", "list").forEach(h -> states.put(h.path("id").asText(), h.path("state").asText()));
        return states;
    }

    private static JsonNode awaitTargetsUp(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String url = "http://" + addresses.get("ctl-1") + ":9090/api/v1/targets";
        while (true) {
            Outcome o = exec(Duration.ofSeconds(20), null, repo, List.of("curl", "-sf", url));
            JsonNode active = o.exitCode() == 0 ? JSON.readTree(o.output()).path("data").path("activeTargets") : null;
            List<String> down = new ArrayList<>();
            if (active != null && active.size() >= 6) {
                active.forEach(t -> {
                    if (!t.path("health").asText().equals("up")) {
                        down.add(t.path("scrapeUrl").asText() + " " + t.path("health").asText());
                    }
                });
                if (down.isEmpty()) {
                    return active;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Prometheus targets not all up: " + (active == null ? o.output() : down));
            }
            Thread.sleep(2000);
        }
    }

    private static String etcdctl(List<String> base, Path ca, String user, String... args) {
        List<String> cmd = new ArrayList<>(base);
        cmd.addAll(List.of("--cert", ca.resolve(user + ".crt").toString(), "--key", ca.resolve(user + ".key").toString()));
        cmd.addAll(List.of(args));
        return exec(Duration.ofSeconds(30), null, repo, cmd).output();
    }

    private static String ssh(String host, String command) {
        Path ssh = dir.resolve("ssh");
        Outcome o = exec(Duration.ofSeconds(60), null, repo, List.of("ssh", "-i", ssh.resolve("id").toString(),
                "-o", "UserKnownHostsFile=" + ssh.resolve("known_hosts"), "-o", "StrictHostKeyChecking=yes",
                "-o", "BatchMode=yes", "root@" + addresses.get(host), command));
        return o.output();
    }

    private static void run(Duration timeout, String log, String... cmd) {
        Outcome o = exec(timeout, log, repo, List.of(cmd));
        assertThat(o.exitCode()).as("%s exited %d:%n%s", String.join(" ", cmd), o.exitCode(), tail(o.output(), 30)).isZero();
    }

    record Outcome(int exitCode, String output) {}

    /** Runs a command (stdout and stderr together), also into DIR/LOG.log when log is given; -1 if it was killed. */
    private static Outcome exec(Duration timeout, String log, Path cwd, List<String> cmd) {
        try {
            File out = log != null ? dir.resolve(log + ".log").toFile() : File.createTempFile("ansible-it", ".out");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
                    .redirectOutput(out);
            pb.environment().put("ANSIBLE_CONFIG", repo.resolve("ansible/ansible.cfg").toString());
            pb.environment().put("ANSIBLE_NOCOLOR", "1");
            pb.environment().put("ANSIBLE_FORCE_COLOR", "0");
            // Each task's time, and the slowest ones at the end of every log.
            pb.environment().put("ANSIBLE_CALLBACKS_ENABLED", "ansible.posix.profile_tasks");
            // hvctl (the test's and the playbooks') as the deployed fabric's operator, never a local lab's.
            if (dir != null && addresses != null) {
                Path ca = dir.resolve("pki/ca");
                pb.environment().put("HVF_LAB_DIR", dir.resolve("no-lab").toString());
                pb.environment().put("HVCTL_SCHEDULER", addresses.get("ctl-1") + ":7000," + addresses.get("node-1") + ":7000");
                pb.environment().put("HVCTL_TLS_CA", ca.resolve("ca.crt").toString());
                pb.environment().put("HVCTL_TLS_CERT", ca.resolve("operator.crt").toString());
                pb.environment().put("HVCTL_TLS_KEY", ca.resolve("operator.key").toString());
            }
            Process p = pb.start();
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            String text = Files.readString(out.toPath(), StandardCharsets.UTF_8);
            if (log == null) {
                Files.deleteIfExists(out.toPath());
            }
            return new Outcome(done ? p.exitValue() : -1, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return all.subList(Math.max(0, all.size() - lines), all.size()).stream().collect(Collectors.joining("\n"));
    }

    private static String sha256(Path file) {
        try {
            return java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
