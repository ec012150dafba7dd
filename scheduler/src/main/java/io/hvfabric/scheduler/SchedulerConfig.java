package io.hvfabric.scheduler;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.tls.HostPort;
import io.hvfabric.common.tls.TlsFiles;
import io.hvfabric.scheduler.placement.runtime.PlacementConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Everything a scheduler replica needs to start, validated in one place. */
public record SchedulerConfig(
        String id,
        HostPort listen,
        HostPort advertise,
        List<String> etcdEndpoints,
        String keyPrefix,
        HostPort metrics,
        HostPort pekko,
        List<HostPort> seeds,
        Optional<TlsFiles> tls,
        Duration leaderLeaseTtl,
        Duration hostLeaseTtl,
        PlacementConfig placement,
        Path imageDir,
        Duration rebalanceInterval,
        double rebalanceThreshold,
        int migrationStreams) {

    private static final Pattern ID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    public SchedulerConfig {
        if (id == null || !ID.matcher(id).matches()) {
            throw FabricException.invalidArgument("--id", "must be a DNS label (got '%s')", id);
        }
        if (etcdEndpoints.isEmpty()) {
            throw FabricException.invalidArgument("--etcd", "needs at least one endpoint URL");
        }
        for (String e : etcdEndpoints) {
            if (!e.startsWith("http://") && !e.startsWith("https://")) {
                throw FabricException.invalidArgument("--etcd", "endpoints are URLs like http://host:2379 (got '%s')", e);
            }
        }
        if (leaderLeaseTtl.toSeconds() < 1 || leaderLeaseTtl.toSeconds() > 60) {
            throw FabricException.invalidArgument("--lease-ttl", "must be 1..60 seconds (got %d)",
                    leaderLeaseTtl.toSeconds());
        }
        if (hostLeaseTtl.toSeconds() < 2 || hostLeaseTtl.toSeconds() > 120) {
            throw FabricException.invalidArgument("--host-lease-ttl", "must be 2..120 seconds (got %d)",
                    hostLeaseTtl.toSeconds());
        }
        if (rebalanceInterval.isNegative()) {
            throw FabricException.invalidArgument("--rebalance-interval", "must not be negative (0 turns it off)");
        }
        if (rebalanceThreshold < 0 || rebalanceThreshold > 1) {
            throw FabricException.invalidArgument("--rebalance-threshold", "must be within 0..1 (got %s)",
                    rebalanceThreshold);
        }
        if (migrationStreams < 0 || migrationStreams > 255) {
            throw FabricException.invalidArgument("--migration-streams", "must be 0 (auto) or 1..255 (got %d)",
                    migrationStreams);
        }
        if (!keyPrefix.startsWith("/")) {
            throw FabricException.invalidArgument("--prefix", "must start with / (got '%s')", keyPrefix);
        }
    }
}
