package io.hvfabric.agent;

import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.logging.LogOutput;
import io.hvfabric.common.tls.HostPort;
import io.hvfabric.common.tls.TlsFiles;
import io.hvfabric.agent.driver.qemu.VsiIdRange;
import io.hvfabric.agent.host.AccelMode;
import io.hvfabric.agent.network.OverlayMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Command line of a node agent. Parses flags into an {@link AgentConfig} and runs until killed. */
@Command(name = "hvfabric-agent", mixinStandardHelpOptions = true,
        description = "The hvfabric node agent: reports this host and runs its VSIs.")
public final class AgentMain implements Callable<Integer> {
    @Option(names = "--host-id", required = true, description = "this host's id (DNS label), stable across restarts")
    String hostId;

    @Option(names = "--listen", required = true, description = "NodeService gRPC listen address host:port")
    String listen;

    @Option(names = "--advertise", description = "address the scheduler reaches this agent at (default: --listen)")
    String advertise;

    @Option(names = "--schedulers", required = true, split = ",", description = "scheduler replicas host:port")
    List<String> schedulers;

    @Option(names = "--metrics", required = true, description = "Prometheus /metrics listen address host:port")
    String metrics;

    @Option(names = "--pekko", required = true, description = "Pekko cluster (gossip) listen address host:port")
    String pekko;

    @Option(names = "--seeds", required = true, split = ",", description = "Pekko seed nodes host:port")
    List<String> seeds;

    @Option(names = "--tls-dir", description = "directory holding ca.crt, <host-id>.crt/<host-id>.key and, for TLS"
            + " live migration, <host-id>-migration.crt/.key (role migration: the only key QEMU gets)")
    Path tlsDir;

    @Option(names = "--insecure", description = "plaintext gRPC without authentication (lab only)")
    boolean insecure;

    @Option(names = "--state-dir", required = true, description = "where VSI run directories live")
    Path stateDir;

    @Option(names = "--image-dir", defaultValue = "/var/cache/hvfabric/images", description = "guest images")
    Path imageDir;

    @Option(names = "--nic-default-mbps", defaultValue = "10000",
            description = "link speed assumed for a NIC that reports none")
    int nicDefaultMbps;

    @Option(names = "--reserved-memory-mib", defaultValue = "512", description = "RAM kept back for the host")
    long reservedMemoryMib;

    @Option(names = "--driver", defaultValue = "qemu", description = "virt driver: qemu or fake")
    String driver;

    @Option(names = "--accel", defaultValue = "auto",
            description = "auto (KVM only if a standard guest kernel boots under it here, else TCG), kvm (refuse to"
                    + " start unless it does) or tcg")
    String accel;

    @Option(names = "--accel-cache-dir", defaultValue = "/var/cache/hvfabric/accel",
            description = "where KVM boot-check results are kept, so a restart does not boot the kernel again")
    Path accelCacheDir;

    @Option(names = "--kvm-boot-timeout", defaultValue = "10",
            description = "seconds a guest kernel gets to print on its console under KVM (default ${DEFAULT-VALUE})")
    int kvmBootTimeoutSeconds;

    @Option(names = "--vsi-uid-range", defaultValue = "200000-265535",
            description = "ids the VSIs' QEMUs run as, one per VSI as uid and gid (default ${DEFAULT-VALUE}); must"
                    + " overlap no local user, group or /etc/subuid, /etc/subgid range")
    String vsiUidRange;

    @Option(names = "--overlay", defaultValue = "auto",
            description = "tenant-network data plane (bridges, VXLAN, DHCP, nftables): auto (on when the agent is root,"
                    + " ip, bridge, tc, nft, sysctl and dnsmasq are installed and the underlay device has an IPv4"
                    + " address), on (refuse to start otherwise) or off (VSIs with vNICs are refused here)")
    String overlay;

    @Option(names = "--underlay-dev",
            description = "NIC the VXLAN tunnels use; its IPv4 address is this host's VTEP (default: the device of the"
                    + " default route)")
    String underlayDev;

    @Option(names = "--network-namespace-prefix",
            description = "each network's DHCP server runs in the network namespace <prefix><vni> (default:"
                    + " hvfn-<host-id>-)")
    String networkNamespacePrefix;

    @Option(names = "--migration-tunnel", defaultValue = "on",
            description = "carry TLS migration streams through the agents (BoringSSL, QEMU holds no key): on or off"
                    + " (QEMU's own TLS channel, one record per 4 KiB page). Used when both hosts have it on and the"
                    + " migration runs one stream")
    String migrationTunnel;

    @Option(names = "--log-format", defaultValue = "text",
            description = "text (one readable line per entry) or json (one JSON object per line)")
    String logFormat;

    @Override
    public Integer call() throws Exception {
        LogOutput.use(LogOutput.Format.parse("--log-format", logFormat));
        NodeAgent agent = NodeAgent.start(toConfig());
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stop.countDown();
        }));
        stop.await();
        return 0;
    }

    AgentConfig toConfig() {
        if (tlsDir == null && !insecure) {
            throw FabricException.invalidArgument("--tls-dir", "is required unless --insecure is given");
        }
        HostPort listenAt = HostPort.parse("--listen", listen);
        return new AgentConfig(
                hostId,
                listenAt,
                advertise == null ? listenAt : HostPort.parse("--advertise", advertise),
                schedulers.stream().map(s -> HostPort.parse("--schedulers", s)).toList(),
                HostPort.parse("--metrics", metrics),
                HostPort.parse("--pekko", pekko),
                seeds.stream().map(s -> HostPort.parse("--seeds", s)).toList(),
                insecure ? Optional.empty() : Optional.of(TlsFiles.inDir(tlsDir, hostId).requireReadable()),
                stateDir,
                imageDir,
                nicDefaultMbps,
                reservedMemoryMib,
                driver,
                AccelMode.parse(accel),
                accelCacheDir,
                Duration.ofSeconds(kvmBootTimeoutSeconds),
                uidRange(),
                OverlayMode.parse(overlay),
                Optional.ofNullable(underlayDev),
                networkNamespacePrefix == null ? "hvfn-" + hostId + "-" : networkNamespacePrefix,
                onOff("--migration-tunnel", migrationTunnel));
    }

    private static boolean onOff(String flag, String value) {
        return switch (value) {
            case "on" -> true;
            case "off" -> false;
            default -> throw FabricException.invalidArgument(flag, "must be on or off (got '%s')",
                    value.length() > 32 ? value.substring(0, 32) + "..." : value);
        };
    }

    private VsiIdRange uidRange() {
        try {
            return VsiIdRange.parse(vsiUidRange);
        } catch (IllegalArgumentException e) {
            throw FabricException.invalidArgument("--vsi-uid-range", e.getMessage()); // quotes at most 32 characters
        }
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new AgentMain());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("hvfabric-agent: " + e.getMessage());
            if (!(e instanceof FabricException)) {
                e.printStackTrace(cmd.getErr());
            }
            return e instanceof FabricException fe && fe.code() == ErrorCode.INVALID_ARGUMENT ? 2 : 1;
        });
        System.exit(cli.execute(args));
    }
}
