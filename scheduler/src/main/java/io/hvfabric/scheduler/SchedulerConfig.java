package io.hvfabric.scheduler;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.tls.HostPort;
import io.hvfabric.common.tls.TlsFiles;
import io.hvfabric.scheduler.placement.runtime.PlacementConfig;
import java.nio.file.Files;
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
        Optional<TlsFiles> etcdTls,
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
        int migrationStreams,
        Duration auditRetention,
        Duration eventRetention) {

    /** How long audit records are kept by default: a week. */
    public static final Duration DEFAULT_AUDIT_RETENTION = Duration.ofDays(7);
    private static final Duration MIN_AUDIT_RETENTION = Duration.ofMinutes(1);
    private static final Duration MAX_AUDIT_RETENTION = Duration.ofDays(366);
    /** How long fabric events are kept by default: a day. */
    public static final Duration DEFAULT_EVENT_RETENTION = Duration.ofDays(1);
    private static final Duration MIN_EVENT_RETENTION = Duration.ofMinutes(1);
    private static final Duration MAX_EVENT_RETENTION = Duration.ofDays(31);

    private static final Pattern ID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final String HTTP = "http://";
    private static final String HTTPS = "https://";
    private static final String ETCD_CA = "--etcd-ca";
    private static final String ETCD_CERT = "--etcd-cert";
    private static final String ETCD_KEY = "--etcd-key";

    public SchedulerConfig {
        if (id == null || !ID.matcher(id).matches()) {
            throw FabricException.invalidArgument("--id", "must be a DNS label (got '%s')", id);
        }
        if (etcdEndpoints.isEmpty()) {
            throw FabricException.invalidArgument("--etcd", "needs at least one endpoint URL");
        }
        for (String e : etcdEndpoints) {
            if (!e.startsWith(HTTP) && !e.startsWith(HTTPS)) {
                throw FabricException.invalidArgument("--etcd", "endpoints are URLs like https://host:2379 (got '%s')", e);
            }
            // One rule for every endpoint: a client either proves who it is over TLS or speaks plaintext.
            if (e.startsWith(HTTPS) && etcdTls.isEmpty()) {
                throw FabricException.invalidArgument(ETCD_CA,
                        "https etcd endpoints (got '%s') need %s, %s and %s", e, ETCD_CA, ETCD_CERT, ETCD_KEY);
            }
            if (e.startsWith(HTTP) && etcdTls.isPresent()) {
                throw FabricException.invalidArgument("--etcd",
                        "with %s, %s and %s every endpoint must be https:// (got '%s')", ETCD_CA, ETCD_CERT, ETCD_KEY, e);
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
        if (auditRetention.compareTo(MIN_AUDIT_RETENTION) < 0 || auditRetention.compareTo(MAX_AUDIT_RETENTION) > 0) {
            throw FabricException.invalidArgument("--audit-retention", "must be 1m..366d (got %s)", auditRetention);
        }
        if (eventRetention.compareTo(MIN_EVENT_RETENTION) < 0 || eventRetention.compareTo(MAX_EVENT_RETENTION) > 0) {
            throw FabricException.invalidArgument("--event-retention", "must be 1m..31d (got %s)", eventRetention);
        }
    }

    /** With the default event retention ({@link #DEFAULT_EVENT_RETENTION}). */
    public SchedulerConfig(String id, HostPort listen, HostPort advertise, List<String> etcdEndpoints,
                           Optional<TlsFiles> etcdTls, String keyPrefix, HostPort metrics, HostPort pekko,
                           List<HostPort> seeds, Optional<TlsFiles> tls, Duration leaderLeaseTtl, Duration hostLeaseTtl,
                           PlacementConfig placement, Path imageDir, Duration rebalanceInterval,
                           double rebalanceThreshold, int migrationStreams, Duration auditRetention) {
        this(id, listen, advertise, etcdEndpoints, etcdTls, keyPrefix, metrics, pekko, seeds, tls, leaderLeaseTtl,
                hostLeaseTtl, placement, imageDir, rebalanceInterval, rebalanceThreshold, migrationStreams,
                auditRetention, DEFAULT_EVENT_RETENTION);
    }

    /** With the default audit retention ({@link #DEFAULT_AUDIT_RETENTION}). */
    public SchedulerConfig(String id, HostPort listen, HostPort advertise, List<String> etcdEndpoints,
                           Optional<TlsFiles> etcdTls, String keyPrefix, HostPort metrics, HostPort pekko,
                           List<HostPort> seeds, Optional<TlsFiles> tls, Duration leaderLeaseTtl, Duration hostLeaseTtl,
                           PlacementConfig placement, Path imageDir, Duration rebalanceInterval,
                           double rebalanceThreshold, int migrationStreams) {
        this(id, listen, advertise, etcdEndpoints, etcdTls, keyPrefix, metrics, pekko, seeds, tls, leaderLeaseTtl,
                hostLeaseTtl, placement, imageDir, rebalanceInterval, rebalanceThreshold, migrationStreams,
                DEFAULT_AUDIT_RETENTION);
    }

    /**
     * The files given as --etcd-ca, --etcd-cert and --etcd-key (null when a flag is absent): all three or none, each
     * a readable file.
     */
    public static Optional<TlsFiles> etcdTls(Path ca, Path cert, Path key) {
        if (ca == null && cert == null && key == null) {
            return Optional.empty();
        }
        requireFile(ETCD_CA, ca);
        requireFile(ETCD_CERT, cert);
        requireFile(ETCD_KEY, key);
        return Optional.of(new TlsFiles(ca, cert, key));
    }

    private static void requireFile(String flag, Path file) {
        if (file == null) {
            throw FabricException.invalidArgument(flag, "%s, %s and %s go together: all three or none", ETCD_CA,
                    ETCD_CERT, ETCD_KEY);
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw FabricException.invalidArgument(flag, "file %s does not exist or is not readable", file);
        }
    }
}
