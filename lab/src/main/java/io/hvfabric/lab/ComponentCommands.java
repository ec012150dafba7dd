package io.hvfabric.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command lines of the fabric's processes, exactly as their mains expect them. */
final class ComponentCommands {
    /** Small heaps and the cheapest JIT: a 2-core machine runs many of these JVMs at once. */
    static final List<String> JVM_FLAGS = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final LabConfig config;
    private final Path java;

    ComponentCommands(LabConfig config, Path java) {
        this.config = config;
        this.java = java;
    }

    private LabCertificates certificates() {
        return new LabCertificates(config.dir().resolve("tls"));
    }

    /** etcd's client and peer URLs on the root namespace's loopback; TLS with client certificates unless insecure. */
    List<String> etcd(int clientPort, int peerPort) {
        String member = config.names().etcdMemberName();
        String client = etcdUrl(LoopbackNetwork.LOOPBACK + ":" + clientPort);
        String peer = etcdUrl(LoopbackNetwork.LOOPBACK + ":" + peerPort);
        List<String> cmd = new ArrayList<>(List.of("etcd", "--name", member,
                "--data-dir", config.dir().resolve("etcd").toString(),
                "--listen-client-urls", client,
                "--advertise-client-urls", client,
                "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer,
                "--initial-cluster", member + "=" + peer,
                "--logger", "zap", "--log-level", "warn"));
        if (!config.insecure()) {
            CertificateFiles own = certificates().files(LabCertificates.ETCD);
            String ca = own.ca().toString();
            String cert = own.certificate().toString();
            String key = own.key().toString();
            cmd.addAll(List.of("--cert-file", cert, "--key-file", key, "--client-cert-auth", "--trusted-ca-file", ca,
                    "--peer-cert-file", cert, "--peer-key-file", key, "--peer-client-cert-auth",
                    "--peer-trusted-ca-file", ca));
        }
        return cmd;
    }

    /** The URL of an etcd endpoint: https unless the lab is insecure. */
    String etcdUrl(String hostPort) {
        return (config.insecure() ? "http://" : "https://") + hostPort;
    }

    List<String> scheduler(String id, String listen, String etcd, String metrics, String pekko, List<String> seeds) {
        List<String> cmd = jvm("scheduler", "io.hvfabric.scheduler.SchedulerMain");
        cmd.addAll(List.of("--id", id, "--listen", listen, "--etcd", etcd, "--metrics", metrics, "--pekko", pekko,
                "--seeds", String.join(",", seeds)));
        cmd.addAll(security(id));
        if (!config.insecure()) {
            // Its own certificate: etcd knows the scheduler as the user named by its CN.
            CertificateFiles own = certificates().files(id);
            cmd.addAll(List.of("--etcd-ca", own.ca().toString(), "--etcd-cert", own.certificate().toString(),
                    "--etcd-key", own.key().toString()));
        }
        cmd.addAll(config.schedulerArgs());
        return cmd;
    }

    /** Host {@code host}'s agent; {@code network} says whether it runs in a namespace of its own. */
    List<String> agent(String hostId, int host, LabNetwork network, String listen, List<String> schedulers,
            String metrics, String pekko, List<String> seeds) {
        List<String> cmd = jvm("node-agent", "io.hvfabric.agent.AgentMain");
        cmd.addAll(List.of("--host-id", hostId, "--listen", listen, "--schedulers", String.join(",", schedulers),
                "--metrics", metrics, "--pekko", pekko, "--seeds", String.join(",", seeds),
                "--state-dir", config.dir().resolve("hosts").resolve(hostId).toString()));
        cmd.addAll(security(hostId));
        cmd.addAll(unlessPassedThrough(overlay(host, network)));
        cmd.addAll(config.agentArgs());
        return cmd;
    }

    /**
     * The tenant-network data plane. A host in its own namespace runs it over its eth0 (the lab bridge is the
     * underlay) and puts each network's DHCP service in a namespace named by {@link LabNames#networkNamespacePrefix},
     * which `lab down` sweeps. On loopback every agent shares the root namespace, where one host's bridges and
     * VXLAN devices would be every host's: the data plane is off.
     */
    private List<String> overlay(int host, LabNetwork network) {
        if (network.hostNamespace(host).isPresent()) {
            return List.of("--network-namespace-prefix=" + config.names().networkNamespacePrefix(host),
                    "--underlay-dev=eth0");
        }
        return List.of("--overlay=off");
    }

    /** Drops each of {@code flags} ("--name=value") whose option the pass-through arguments set themselves. */
    private List<String> unlessPassedThrough(List<String> flags) {
        return flags.stream().filter(flag -> {
            String option = flag.substring(0, flag.indexOf('='));
            return config.agentArgs().stream().noneMatch(a -> a.equals(option) || a.startsWith(option + "="));
        }).toList();
    }

    private List<String> jvm(String module, String mainClass) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(JVM_FLAGS);
        cmd.add(config.names().jvmTag());
        cmd.addAll(List.of("-cp", config.repo().classPath(module), mainClass));
        return cmd;
    }

    /** The process's own key directory: it never sees another component's key or the CA's. */
    private List<String> security(String name) {
        return config.insecure() ? List.of("--insecure")
                : List.of("--tls-dir", certificates().dirOf(name).toString());
    }
}
