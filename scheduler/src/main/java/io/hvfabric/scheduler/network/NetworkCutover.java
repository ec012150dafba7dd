package io.hvfabric.scheduler.network;

import io.hvfabric.proto.v1.HostNetwork;
import io.hvfabric.proto.v1.NetworkPeer;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The one line a completed migration records about its vNICs' move (Migration.network_cutover). */
final class NetworkCutover {
    private NetworkCutover() {}

    /**
     * E.g. "joined vni 100 (acme/blue) on h2 before switchover; 1 MAC repointed on 2 peers at the ownership commit":
     * {@code joined} are the networks as the target carries them (their peers are the hosts whose FDB entries for
     * the VSI's {@code macs} MACs move to the target when ownership does).
     */
    static String note(String target, List<HostNetwork> joined, int macs) {
        String networks = joined.stream().map(n -> "vni " + n.getVni() + " (" + n.getId() + ")")
                .collect(Collectors.joining(", "));
        TreeSet<String> peers = new TreeSet<>();
        joined.forEach(n -> n.getPeersList().stream().map(NetworkPeer::getHost).forEach(peers::add));
        return "joined " + (networks.isEmpty() ? "no network" : networks) + " on " + target + " before switchover; "
                + macs + " MAC" + (macs == 1 ? "" : "s") + " repointed on " + peers.size() + " peer"
                + (peers.size() == 1 ? "" : "s") + " at the ownership commit";
    }
}
