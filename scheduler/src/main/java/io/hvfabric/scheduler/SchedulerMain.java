package io.hvfabric.scheduler;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.logging.LogOutput;
import io.hvfabric.common.tls.HostPort;
import io.hvfabric.common.tls.TlsFiles;
import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.api.PlacementPolicy;
import io.hvfabric.scheduler.placement.runtime.PlacementConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Command line of a scheduler replica. Parses flags into a {@link SchedulerConfig} and runs until killed. */
@Command(name = "hvfabric-scheduler", mixinStandardHelpOptions = true,
        description = "A hvfabric scheduler replica (leader-elected through etcd).")
public final class SchedulerMain implements Callable<Integer> {
    @Option(names = "--id", required = true, description = "replica id (DNS label)")
    String id;

    @Option(names = "--listen", required = true, description = "gRPC listen address host:port")
    String listen;

    @Option(names = "--advertise", description = "address other processes reach this replica at (default: --listen)")
    String advertise;

    @Option(names = "--etcd", required = true, split = ",",
            description = "etcd endpoint URLs; https:// ones need --etcd-ca, --etcd-cert and --etcd-key")
    List<String> etcd;

    @Option(names = "--etcd-ca", description = "CA certificate (PEM) that signed etcd's server certificate")
    Path etcdCa;

    @Option(names = "--etcd-cert", description = "client certificate (PEM) for etcd; its CN is this replica's etcd user")
    Path etcdCert;

    @Option(names = "--etcd-key", description = "private key (PKCS#8 PEM) of --etcd-cert")
    Path etcdKey;

    @Option(names = "--prefix", defaultValue = "/hvf/v1", description = "etcd key prefix")
    String prefix;

    @Option(names = "--metrics", required = true, description = "Prometheus /metrics listen address host:port")
    String metrics;

    @Option(names = "--pekko", required = true, description = "Pekko cluster (gossip) listen address host:port")
    String pekko;

    @Option(names = "--seeds", required = true, split = ",", description = "Pekko seed nodes host:port")
    List<String> seeds;

    @Option(names = "--tls-dir", description = "directory holding ca.crt and <id>.crt/<id>.key")
    Path tlsDir;

    @Option(names = "--insecure", description = "plaintext gRPC without authentication (lab only)")
    boolean insecure;

    @Option(names = "--lease-ttl", defaultValue = "3", description = "leader lease TTL in seconds (failover bound)")
    long leaseTtl;

    @Option(names = "--host-lease-ttl", defaultValue = "8", description = "host liveness lease TTL in seconds")
    long hostLeaseTtl;

    @Option(names = "--policy", defaultValue = "spread", description = "placement policy: spread or pack")
    String policy;

    @Option(names = "--cpu-ratio", defaultValue = "4.0", description = "vCPU overcommit ratio")
    double cpuRatio;

    @Option(names = "--memory-ratio", defaultValue = "1.0", description = "RAM overcommit ratio")
    double memoryRatio;

    @Option(names = "--disk-ratio", defaultValue = "1.0", description = "disk overcommit ratio")
    double diskRatio;

    @Option(names = "--image-dir", defaultValue = "/var/cache/hvfabric/images",
            description = "where the default guest image lives on every host")
    Path imageDir;

    @Option(names = "--rebalance-interval", defaultValue = "0",
            description = "seconds between automatic rebalancing passes (0: off)")
    long rebalanceInterval;

    @Option(names = "--rebalance-threshold", defaultValue = "0.1",
            description = "imbalance (std. dev. of normalized host load) above which the automatic pass acts")
    double rebalanceThreshold;

    @Option(names = "--migration-streams", defaultValue = "0",
            description = "parallel streams per live migration (QEMU multifd channels); 0 = half the smaller host's CPUs, at most 4")
    int migrationStreams;

    @Option(names = "--audit-retention", defaultValue = "7d", converter = SpanConverter.class,
            description = "how long audit records stay in etcd: a number with s, m, h or d (default: ${DEFAULT-VALUE})")
    Duration auditRetention;

    @Option(names = "--event-retention", defaultValue = "24h", converter = SpanConverter.class,
            description = "how long fabric events stay in etcd: a number with s, m, h or d (default: ${DEFAULT-VALUE})")
    Duration eventRetention;

    @Option(names = "--log-format", defaultValue = "text",
            description = "text (one readable line per entry) or json (one JSON object per line)")
    String logFormat;

    @Override
    public Integer call() throws Exception {
        LogOutput.use(LogOutput.Format.parse("--log-format", logFormat));
        SchedulerConfig config = toConfig();
        Scheduler scheduler = Scheduler.start(config);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            scheduler.close();
            stop.countDown();
        }));
        stop.await();
        return 0;
    }

    SchedulerConfig toConfig() {
        if (tlsDir == null && !insecure) {
            throw FabricException.invalidArgument("--tls-dir", "is required unless --insecure is given");
        }
        HostPort listenAt = HostPort.parse("--listen", listen);
        return new SchedulerConfig(
                id,
                listenAt,
                advertise == null ? listenAt : HostPort.parse("--advertise", advertise),
                etcd,
                SchedulerConfig.etcdTls(etcdCa, etcdCert, etcdKey),
                prefix,
                HostPort.parse("--metrics", metrics),
                HostPort.parse("--pekko", pekko),
                seeds.stream().map(s -> HostPort.parse("--seeds", s)).toList(),
                insecure ? Optional.empty() : Optional.of(TlsFiles.inDir(tlsDir, id).requireReadable()),
                Duration.ofSeconds(leaseTtl),
                Duration.ofSeconds(hostLeaseTtl),
                placement(),
                imageDir,
                Duration.ofSeconds(rebalanceInterval),
                rebalanceThreshold,
                migrationStreams,
                auditRetention,
                eventRetention);
    }

    /** "90s", "30m", "12h", "7d". */
    static final class SpanConverter implements CommandLine.ITypeConverter<Duration> {
        private static final Pattern SPAN = Pattern.compile("(\\d{1,9})([smhd])");

        @Override
        public Duration convert(String value) {
            Matcher m = SPAN.matcher(value.trim());
            if (!m.matches()) {
                throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not a span like 90s, 30m, 12h or 7d");
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
    }

    private PlacementConfig placement() {
        PlacementPolicy chosen = switch (policy) {
            case "spread" -> PlacementPolicy.SPREAD;
            case "pack" -> PlacementPolicy.PACK;
            default -> throw FabricException.invalidArgument("--policy", "must be spread or pack (got '%s')", policy);
        };
        try {
            return PlacementConfig.DEFAULT
                    .withPolicy(chosen)
                    .withRatios(new OvercommitRatios(cpuRatio, memoryRatio, diskRatio,
                            PlacementConfig.DEFAULT.ratios().nic()));
        } catch (IllegalArgumentException e) {
            throw FabricException.invalidArgument("--cpu-ratio", "overcommit ratios: %s", e.getMessage());
        }
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new SchedulerMain());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("hvfabric-scheduler: " + e.getMessage());
            if (!(e instanceof FabricException)) {
                e.printStackTrace(cmd.getErr());
            }
            return e instanceof FabricException fe && fe.code() == io.hvfabric.common.error.ErrorCode.INVALID_ARGUMENT ? 2 : 1;
        });
        System.exit(cli.execute(args));
    }
}
