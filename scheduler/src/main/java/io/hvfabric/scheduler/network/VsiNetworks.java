package io.hvfabric.scheduler.network;

import io.hvfabric.proto.v1.HostNetwork;
import io.hvfabric.proto.v1.Network;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/** The networks one VSI's vNICs are on, as the view shows them: for placing it, and for moving it. */
public final class VsiNetworks {
    private VsiNetworks() {}

    /** The networks of {@code spec}'s vNICs by key, each once; a network the view no longer has is left out. */
    public static List<Network> of(ClusterView view, VsiSpec spec) {
        TreeMap<String, Network> networks = new TreeMap<>();
        for (NicSpec nic : spec.getNicsList()) {
            String key = NetworkId.ofNic(spec, nic).key();
            view.network(key).map(Versioned::value).ifPresent(n -> networks.putIfAbsent(key, n));
        }
        return new ArrayList<>(networks.values());
    }

    /** The largest MTU among them: what a host's overlay must carry (0 without vNICs). */
    public static int mtu(ClusterView view, VsiSpec spec) {
        return of(view, spec).stream().mapToInt(Network::getMtu).max().orElse(0);
    }

    /**
     * The networks as {@code target} must carry them to receive the VSI: its peers are every other host carrying
     * each now (the source among them while the migration is in flight), with the MACs each owns.
     */
    public static List<HostNetwork> forTarget(ClusterView view, VsiSpec spec, String target) {
        List<Network> networks = of(view, spec);
        if (networks.isEmpty()) {
            return List.of();
        }
        NetworkTopology topology = NetworkTopology.of(view);
        return networks.stream().map(n -> topology.forHost(n, target)).toList();
    }

    /** The cut-over note of moving the VSI to {@code target} ({@link NetworkCutover}); empty without vNICs. */
    public static Optional<String> cutoverNote(ClusterView view, VsiSpec spec, String target) {
        if (spec.getNicsCount() == 0) {
            return Optional.empty();
        }
        return Optional.of(NetworkCutover.note(target, forTarget(view, spec, target), spec.getNicsCount()));
    }
}
