package io.hvfabric.agent.network;

import io.hvfabric.agent.driver.NicSpec;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.DesiredState;
import io.hvfabric.proto.v1.HostNetwork;
import io.hvfabric.proto.v1.VsiAssignment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real data plane behind {@link VsiNetworking}: turns the desired state into a {@link PlaneSpec} and converges
 * {@link OverlayDataPlane} to it. Networks a migration target joined before the scheduler lists them for this host are
 * held here and added to every spec until the VSI is owned here (the desired state then covers them) or unplugged.
 * One lock: the reconcile loop and migration targets take turns.
 */
public final class OverlayNetworking implements VsiNetworking {
    private static final Logger LOG = LoggerFactory.getLogger(OverlayNetworking.class);
    private static final String MIGRATING_IN = "MIGRATING_IN";

    /** An incoming VSI and the networks its migration request said it needs. */
    private record Hold(VsiAssignment assignment, List<NetworkSpec> networks) {}

    private final OverlayDataPlane plane;
    private final Map<String, Hold> holds = new LinkedHashMap<>();
    private final Map<String, String> refused = new HashMap<>();
    private DesiredState desired = DesiredState.getDefaultInstance();
    private boolean desiredSeen;
    private volatile PlaneSpec current = PlaneSpec.EMPTY;
    private volatile List<String> problems = List.of();

    public OverlayNetworking(OverlayDataPlane plane) {
        this.plane = plane;
    }

    /** The spec last converged: what metrics report. */
    public PlaneSpec current() {
        return current;
    }

    /** What the last pass could not do, one line each; empty when the host matched its spec. */
    public List<String> problems() {
        return problems;
    }

    @Override
    public synchronized void converge(DesiredState state) {
        desired = state;
        desiredSeen = true;
        holds.keySet().removeIf(name -> state.getVsisList().stream().anyMatch(a -> a.getSpec().getName().equals(name)
                && !MIGRATING_IN.equals(a.getDesired())));
        apply();
    }

    @Override
    public Optional<String> refusal(VsiAssignment assignment) {
        return Optional.empty();
    }

    @Override
    public synchronized List<NicSpec> plug(VsiAssignment assignment) {
        if (assignment.getSpec().getNicsCount() == 0) {
            return List.of();
        }
        PlaneSpec spec = current;
        List<VsiPort> ports = portsOf(assignment, spec);
        plane.plug(spec, ports);
        return ports.stream().map(VsiNetworking::nic).toList();
    }

    @Override
    public synchronized List<NicSpec> receive(VsiAssignment assignment, List<HostNetwork> networks) {
        if (assignment.getSpec().getNicsCount() == 0) {
            return List.of();
        }
        List<NetworkSpec> joined = networks.stream().map(NetworkSpec::of).toList(); // a bad request is refused here
        holds.put(assignment.getSpec().getName(), new Hold(assignment, joined));
        apply();
        return plug(assignment);
    }

    @Override
    public synchronized void unplug(String vsi) {
        boolean held = holds.remove(vsi) != null;
        plane.unplug(vsi);
        if (held) {
            apply(); // networks only it held go now, not a pass later
        }
    }

    private List<VsiPort> portsOf(VsiAssignment assignment, PlaneSpec spec) {
        String name = assignment.getSpec().getName();
        List<VsiPort> ports = spec.portsOf(name);
        if (ports.size() == assignment.getSpec().getNicsCount()) {
            return ports;
        }
        String why = refused.get(name);
        if (why != null) {
            throw FabricException.failedPrecondition("%s", why);
        }
        return PlaneSpec.portsOf(assignment, spec.networks()); // throws, naming the nic this host cannot carry
    }

    private void apply() {
        List<NetworkSpec> wanted = new ArrayList<>();
        for (HostNetwork n : desired.getNetworksList()) {
            try {
                wanted.add(NetworkSpec.of(n));
            } catch (FabricException e) {
                LOG.warn("desired network {} ignored: {}", n.getId(), e.getMessage());
            }
        }
        List<NetworkSpec> held = holds.values().stream().flatMap(h -> h.networks().stream()).toList();
        List<VsiAssignment> vsis = new ArrayList<>(desired.getVsisList());
        holds.forEach((name, h) -> {
            if (vsis.stream().noneMatch(a -> a.getSpec().getName().equals(name))) {
                vsis.add(h.assignment());
            }
        });
        Map<String, String> nowRefused = new HashMap<>();
        PlaneSpec spec = PlaneSpec.of(PlaneSpec.merge(wanted, held).values(), vsis, nowRefused);
        nowRefused.forEach((vsi, why) -> {
            if (!why.equals(refused.get(vsi))) {
                LOG.warn("VSI {}: vNICs not plugged: {}", vsi, why);
            }
        });
        refused.clear();
        refused.putAll(nowRefused);
        problems = List.copyOf(plane.converge(spec, desiredSeen));
        current = spec;
    }
}
