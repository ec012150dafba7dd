package io.hvfabric.agent.network;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.validation.VsiSpecRules;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.VsiAssignment;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything this host's tenant-network data plane must hold at once: the networks by VNI and every vNIC port on them.
 * Built from the desired state (plus the networks an incoming migration joined); the data plane converges the kernel
 * to it and removes whatever of ours it does not name.
 */
public record PlaneSpec(Map<Integer, NetworkSpec> networks, List<VsiPort> ports) {
    public static final PlaneSpec EMPTY = new PlaneSpec(Map.of(), List.of());

    public PlaneSpec {
        networks = Map.copyOf(networks);
        ports = List.copyOf(ports);
    }

    /** Ports of the VSIs whose vNICs can be placed on {@code networks}; a VSI that cannot goes to {@code refused}. */
    public static PlaneSpec of(Collection<NetworkSpec> networks, Collection<VsiAssignment> vsis,
                               Map<String, String> refused) {
        Map<Integer, NetworkSpec> byVni = new TreeMap<>();
        networks.forEach(n -> byVni.put(n.vni(), n));
        Map<String, VsiPort> byTap = new LinkedHashMap<>();
        for (VsiAssignment a : vsis) {
            try {
                List<VsiPort> own = portsOf(a, byVni);
                for (VsiPort p : own) {
                    VsiPort clash = byTap.get(p.tap());
                    if (clash != null && !clash.vsi().equals(p.vsi())) {
                        throw FabricException.failedPrecondition("tap name %s of VSI %s nic %d is already %s's",
                                p.tap(), p.vsi(), p.index(), clash.vsi());
                    }
                }
                own.forEach(p -> byTap.put(p.tap(), p));
            } catch (FabricException e) {
                refused.put(a.getSpec().getName(), e.getMessage());
            }
        }
        return new PlaneSpec(byVni, new ArrayList<>(byTap.values()));
    }

    /**
     * The VSI's vNIC ports.
     *
     * @throws FabricException naming the nic whose network this host does not carry, or whose MAC is unassigned
     */
    public static List<VsiPort> portsOf(VsiAssignment a, Map<Integer, NetworkSpec> networks) {
        String vsi = VsiSpecRules.name(a.getSpec().getName());
        List<VsiPort> ports = new ArrayList<>();
        List<NicSpec> nics = a.getSpec().getNicsList();
        if (nics.size() > VsiSpecRules.MAX_NICS) {
            throw FabricException.invalidArgument("nics", "must hold at most %d NICs (got %d)", VsiSpecRules.MAX_NICS,
                    nics.size());
        }
        for (int i = 0; i < nics.size(); i++) {
            NicSpec nic = nics.get(i);
            String at = "VSI " + vsi + " nics[" + i + "]";
            NetworkSpec net = networks.get(nic.getVni());
            if (net == null) {
                throw FabricException.failedPrecondition("%s: network %s (vni %d) is not among this host's networks",
                        at, nic.getNetwork(), nic.getVni());
            }
            if (nic.getMac().isEmpty()) {
                throw FabricException.failedPrecondition("%s: no MAC address assigned", at);
            }
            String mac = VsiSpecRules.mac(at + ".mac", nic.getMac());
            String ip = nic.getIp().isEmpty() ? "" : Ipv4.address(at + ".ip", nic.getIp());
            if (!ip.isEmpty() && !net.cidr().contains(ip)) {
                throw FabricException.failedPrecondition("%s: ip %s is outside %s", at, ip, net.cidr());
            }
            ports.add(new VsiPort(vsi, i, NetNames.tap(vsi, i), mac, ip, net.vni(), net.mtu(), nic.getMbps(),
                    net.id()));
        }
        return ports;
    }

    public List<VsiPort> portsOf(String vsi) {
        return ports.stream().filter(p -> p.vsi().equals(vsi)).toList();
    }

    public List<VsiPort> portsOn(int vni) {
        return ports.stream().filter(p -> p.vni() == vni).toList();
    }

    /** Networks of both, {@code preferred}'s version where both have one VNI (it is the fresher). */
    static Map<Integer, NetworkSpec> merge(Collection<NetworkSpec> preferred, Collection<NetworkSpec> others) {
        Map<Integer, NetworkSpec> merged = new HashMap<>();
        others.forEach(n -> merged.put(n.vni(), n));
        preferred.forEach(n -> merged.put(n.vni(), n));
        return merged;
    }
}
