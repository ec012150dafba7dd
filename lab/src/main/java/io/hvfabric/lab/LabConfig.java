package io.hvfabric.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything {@code lab up} needs, validated in one place.
 *
 * @param hosts number of node agents, each a host
 * @param dir state directory: state.json, logs, tls, etcd data, host state
 * @param name short lab name used in every created resource's name (see {@link LabNames})
 * @param insecure plaintext gRPC and etcd instead of mTLS (and no etcd authentication)
 * @param agentArgs extra arguments appended to every agent's command line (e.g. --driver fake)
 * @param schedulerArgs extra arguments appended to every scheduler replica's command line (e.g. --policy pack)
 * @param subnet third octet k of 10.88.k.0/24 for namespace mode; 0 picks a free one
 * @param network where hosts live
 * @param readyTimeout how long to wait until every host is READY
 * @param repo the source tree whose built jars are launched
 */
public record LabConfig(
        int hosts,
        Path dir,
        String name,
        boolean insecure,
        List<String> agentArgs,
        List<String> schedulerArgs,
        int subnet,
        NetworkMode network,
        Duration readyTimeout,
        RepoLayout repo) {

    public static final int MAX_HOSTS = 240; // host IPs are 10.88.k.(10+i), below the broadcast address
    public static final String DEFAULT_NAME = "lab";

    public LabConfig {
        if (hosts < 1 || hosts > MAX_HOSTS) {
            throw new IllegalArgumentException("hosts: must be between 1 and " + MAX_HOSTS + ", got " + hosts);
        }
        if (dir == null) {
            throw new IllegalArgumentException("dir: is required");
        }
        dir = dir.toAbsolutePath().normalize();
        if (dir.getParent() == null) {
            throw new IllegalArgumentException("dir: must not be the filesystem root, got " + dir);
        }
        new LabNames(name); // validates the name rule
        agentArgs = List.copyOf(agentArgs == null ? List.of() : agentArgs);
        schedulerArgs = List.copyOf(schedulerArgs == null ? List.of() : schedulerArgs);
        if (subnet < 0 || subnet > 250) {
            throw new IllegalArgumentException("subnet: must be between 1 and 250 (0 = pick a free one), got " + subnet);
        }
        network = network == null ? NetworkMode.AUTO : network;
        if (readyTimeout == null || readyTimeout.isNegative() || readyTimeout.isZero()) {
            throw new IllegalArgumentException("readyTimeout: must be positive, got " + readyTimeout);
        }
        if (repo == null) {
            throw new IllegalArgumentException("repo: is required");
        }
    }

    public LabNames names() {
        return new LabNames(name);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults: 3 hosts, name "lab", dir ${HVF_LAB_DIR:-<repo>/.lab}, mTLS, 90 s to READY. */
    public static final class Builder {
        private int hosts = 3;
        private Path dir;
        private String name = DEFAULT_NAME;
        private boolean insecure;
        private final List<String> agentArgs = new ArrayList<>();
        private final List<String> schedulerArgs = new ArrayList<>();
        private int subnet;
        private NetworkMode network = NetworkMode.AUTO;
        private Duration readyTimeout = Duration.ofSeconds(90);
        private RepoLayout repo;

        public Builder hosts(int hosts) {
            this.hosts = hosts;
            return this;
        }

        public Builder dir(Path dir) {
            this.dir = dir;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder insecure(boolean insecure) {
            this.insecure = insecure;
            return this;
        }

        public Builder schedulerArgs(List<String> args) {
            schedulerArgs.addAll(args);
            return this;
        }

        public Builder agentArgs(List<String> args) {
            agentArgs.addAll(args);
            return this;
        }

        public Builder subnet(int subnet) {
            this.subnet = subnet;
            return this;
        }

        public Builder network(NetworkMode network) {
            this.network = network;
            return this;
        }

        public Builder readyTimeout(Duration readyTimeout) {
            this.readyTimeout = readyTimeout;
            return this;
        }

        public Builder repo(RepoLayout repo) {
            this.repo = repo;
            return this;
        }

        public LabConfig build() {
            RepoLayout layout = repo != null ? repo : RepoLayout.locate();
            Path stateDir = dir != null ? dir : defaultDir(layout);
            return new LabConfig(hosts, stateDir, name, insecure, agentArgs, schedulerArgs, subnet, network, readyTimeout, layout);
        }
    }

    public static Path defaultDir(RepoLayout repo) {
        String env = System.getenv("HVF_LAB_DIR");
        return env != null && !env.isBlank() ? Path.of(env) : repo.root().resolve(".lab");
    }
}
