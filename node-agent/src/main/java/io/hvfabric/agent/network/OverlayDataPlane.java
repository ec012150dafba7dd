package io.hvfabric.agent.network;

import io.hvfabric.common.validation.VsiSpecRules;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converges one host's tenant-network data plane to a {@link PlaneSpec}: the nftables table, each network's bridge,
 * VXLAN device, FDB and DHCP service, every vNIC's tap; and removes whatever of ours the spec no longer names (taps,
 * IFBs, whole networks). Level-triggered: each pass reads the kernel's state ({@code ip -j}, {@code bridge -j},
 * {@code tc -j}) and acts on the difference, so an agent killed with -9 and restarted picks up what exists. What it
 * remembers between passes is only a cache of what needs no re-checking; it is dropped every {@link #RESYNC}.
 */
public final class OverlayDataPlane {
    private static final Logger LOG = LoggerFactory.getLogger(OverlayDataPlane.class);
    static final Duration RESYNC = Duration.ofSeconds(60);

    private final CommandRunner host;
    private final Underlay underlay;
    private final NftTable nft;
    private final NetworkDevices devices;
    private final VxlanFdb fdb;
    private final DhcpServers dhcp;
    private final Taps taps;
    private long lastResync = System.nanoTime();

    /**
     * @param host runs commands in the host's network namespace (prefixed in tests: {@code ip netns exec <host>})
     * @param local runs commands in the agent's own namespaces: DHCP namespaces are made and entered from there
     * @param namespacePrefix DHCP namespaces are {@code <prefix><vni>}
     * @param stateRoot each network's DHCP files, {@code <stateRoot>/<vni>/}
     */
    public OverlayDataPlane(CommandRunner host, CommandRunner local, Underlay underlay, String namespacePrefix,
                            Path stateRoot) {
        this.host = host;
        this.underlay = underlay;
        this.nft = new NftTable(host);
        this.devices = new NetworkDevices(host, underlay);
        this.fdb = new VxlanFdb(host, underlay.address(), FdbPlan.LEARNED_GRACE);
        this.dhcp = new DhcpServers(host, local, stateRoot, namespacePrefix);
        this.taps = new Taps(host);
    }

    public Underlay underlay() {
        return underlay;
    }

    /** One full pass, sweep included; returns what could not be done (one line each), empty when all matches. */
    public List<String> converge(PlaneSpec spec) {
        return converge(spec, true);
    }

    /**
     * @param sweep also remove ours that the spec does not name; false before the first desired state has said what
     *     this host carries (a migration target joining a network right after an agent restart)
     */
    public synchronized List<String> converge(PlaneSpec spec, boolean sweep) {
        resyncIfDue();
        List<String> problems = new ArrayList<>();
        LinkTable links = LinkTable.read(host);
        // First: a tap added below is covered the moment it exists (until then "hvt*" is dropped: fail closed).
        step(problems, "nftables", () -> nft.apply(NftRuleset.render(spec)));
        Map<String, List<FdbEntry>> entries = spec.networks().isEmpty() ? Map.of() : fdb.readAll();
        for (NetworkSpec net : spec.networks().values()) {
            step(problems, "network " + net.id() + " (vni " + net.vni() + ")", () -> {
                devices.ensure(net, links);
                fdb.converge(net, entries);
                dhcp.converge(net, spec.portsOn(net.vni()), links);
            });
        }
        if (!spec.ports().isEmpty()) {
            Map<String, List<Shaping.Qdisc>> qdiscs = readQdiscs();
            for (VsiPort p : spec.ports()) {
                step(problems, "VSI " + p.vsi() + " nic " + p.index(), () -> taps.ensure(p, links, qdiscs));
            }
        }
        if (sweep) {
            sweep(spec, links, problems);
        }
        return problems;
    }

    /**
     * Makes sure {@code ports} (of {@code spec}, already converged) exist on their bridges now: the launch path calls
     * this right before QEMU opens them.
     *
     * @throws RuntimeException if one cannot be made
     */
    public synchronized void plug(PlaneSpec spec, List<VsiPort> ports) {
        LinkTable links = LinkTable.read(host);
        Map<String, List<Shaping.Qdisc>> qdiscs = readQdiscs();
        ports.stream().map(VsiPort::vni).distinct().forEach(vni -> devices.ensure(spec.networks().get(vni), links));
        for (VsiPort p : ports) {
            taps.ensure(p, links, qdiscs);
        }
    }

    /** Removes every tap (and IFB) a VSI of that name could have here. */
    public synchronized void unplug(String vsi) {
        LinkTable links = LinkTable.read(host);
        for (int i = 0; i < VsiSpecRules.MAX_NICS; i++) {
            taps.delete(NetNames.tap(vsi, i), links);
        }
    }

    private void sweep(PlaneSpec spec, LinkTable links, List<String> problems) {
        Set<String> wantedTaps = spec.ports().stream().map(VsiPort::tap).collect(Collectors.toSet());
        Set<String> staleTaps = new TreeSet<>();
        links.withPrefix(NetNames.TAP).forEach(l -> staleTaps.add(l.name()));
        links.withPrefix(NetNames.IFB)
                .forEach(l -> staleTaps.add(NetNames.TAP + l.name().substring(NetNames.IFB.length())));
        staleTaps.removeAll(wantedTaps);
        for (String tap : staleTaps) {
            step(problems, "stale tap " + tap, () -> taps.delete(tap, links));
        }
        Set<Integer> present = new TreeSet<>(dhcp.present(links));
        for (String prefix : List.of(NetNames.BRIDGE, NetNames.VXLAN)) {
            links.withPrefix(prefix).forEach(l -> NetNames.vniOf(prefix, l.name()).ifPresent(present::add));
        }
        present.removeAll(spec.networks().keySet());
        for (int vni : present) {
            step(problems, "stale network vni " + vni, () -> {
                LOG.info("vni {}: no longer carried here, removing its bridge, VXLAN device and DHCP service", vni);
                dhcp.teardown(vni);
                devices.delete(vni, links);
                fdb.forget(vni);
            });
        }
    }

    private Map<String, List<Shaping.Qdisc>> readQdiscs() {
        return Shaping.parse(host.run("tc", "-j", "qdisc", "show").stdout());
    }

    private void resyncIfDue() {
        if (System.nanoTime() - lastResync >= RESYNC.toNanos()) {
            nft.resync();
            devices.resync();
            dhcp.resync();
            taps.resync();
            lastResync = System.nanoTime();
        }
    }

    private static void step(List<String> problems, String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            String problem = what + ": " + e.getMessage();
            LOG.warn("data plane: {}", problem);
            problems.add(problem);
        }
    }
}
