package io.hvfabric.agent.network;

import io.hvfabric.agent.driver.NicSpec;
import io.hvfabric.common.validation.VsiSpecRules;
import io.hvfabric.proto.v1.DesiredState;
import io.hvfabric.proto.v1.HostNetwork;
import io.hvfabric.proto.v1.VsiAssignment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Beside the fake driver (scale simulation, scheduler tests): VSIs with vNICs are accepted and get the NICs a real
 * host would give them, but nothing is made on the host, so many simulated agents can share one machine.
 */
public final class SimulatedNetworking implements VsiNetworking {
    private final Map<Integer, Integer> mtuByVni = new ConcurrentHashMap<>();

    @Override
    public void converge(DesiredState state) {
        state.getNetworksList().forEach(this::remember);
    }

    @Override
    public Optional<String> refusal(VsiAssignment assignment) {
        return Optional.empty();
    }

    /** Lenient: a nic without a valid MAC is left out rather than failing the simulated start. */
    @Override
    public List<NicSpec> plug(VsiAssignment assignment) {
        String vsi = assignment.getSpec().getName();
        List<NicSpec> nics = new ArrayList<>();
        for (int i = 0; i < Math.min(assignment.getSpec().getNicsCount(), VsiSpecRules.MAX_NICS); i++) {
            var nic = assignment.getSpec().getNics(i);
            if (VsiSpecRules.MAC.matcher(nic.getMac()).matches()) {
                nics.add(new NicSpec("net" + i, NetNames.tap(vsi, i), nic.getMac(),
                        mtuByVni.getOrDefault(nic.getVni(), 0)));
            }
        }
        return nics;
    }

    @Override
    public List<NicSpec> receive(VsiAssignment assignment, List<HostNetwork> networks) {
        networks.forEach(this::remember);
        return plug(assignment);
    }

    @Override
    public void unplug(String vsi) {}

    private void remember(HostNetwork n) {
        mtuByVni.put(n.getVni(), n.getMtu() == 0 ? NetworkSpec.DEFAULT_MTU : n.getMtu());
    }
}
