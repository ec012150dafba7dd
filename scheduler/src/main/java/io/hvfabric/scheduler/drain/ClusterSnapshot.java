package io.hvfabric.scheduler.drain;

import io.hvfabric.scheduler.placement.api.HostCandidate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One consistent, immutable view of every host and the VSIs on it, as planners read it. Applying a move gives a new
 * snapshot, so a plan can be checked by replaying it.
 */
public final class ClusterSnapshot {

    private final Map<String, HostLoad> hosts; // insertion order kept: planners iterate deterministically
    private final Map<String, String> hostOfVsi;

    private ClusterSnapshot(Map<String, HostLoad> hosts, Map<String, String> hostOfVsi) {
        this.hosts = hosts;
        this.hostOfVsi = hostOfVsi;
    }

    /** Fails naming the duplicate if a host id or a VSI name appears twice. */
    public static ClusterSnapshot of(List<HostLoad> hosts) {
        if (hosts == null) {
            throw new IllegalArgumentException("ClusterSnapshot.hosts must be set (may be empty)");
        }
        Map<String, HostLoad> byId = new LinkedHashMap<>();
        Map<String, String> hostOfVsi = new HashMap<>();
        for (HostLoad h : hosts) {
            if (byId.put(h.id(), h) != null) {
                throw new IllegalArgumentException("ClusterSnapshot.hosts: host id '" + h.id() + "' appears twice");
            }
            for (VsiLoad v : h.vsis()) {
                String previous = hostOfVsi.put(v.name(), h.id());
                if (previous != null) {
                    throw new IllegalArgumentException("ClusterSnapshot: vsi '" + v.name() + "' appears on host '"
                            + previous + "' and host '" + h.id() + "'; a vsi runs on one host");
                }
            }
        }
        return new ClusterSnapshot(Collections.unmodifiableMap(byId), Collections.unmodifiableMap(hostOfVsi));
    }

    public List<HostLoad> hosts() {
        return List.copyOf(hosts.values());
    }

    public List<HostCandidate> candidates() {
        List<HostCandidate> list = new ArrayList<>(hosts.size());
        for (HostLoad h : hosts.values()) {
            list.add(h.host());
        }
        return list;
    }

    public Optional<HostLoad> host(String id) {
        return Optional.ofNullable(hosts.get(id));
    }

    public HostLoad requireHost(String id) {
        HostLoad h = hosts.get(id);
        if (h == null) {
            throw new IllegalArgumentException("no host '" + id + "' in the cluster snapshot");
        }
        return h;
    }

    /** The host the VSI runs on, if it is in this snapshot. */
    public Optional<String> hostOf(String vsiName) {
        return Optional.ofNullable(hostOfVsi.get(vsiName));
    }

    public Optional<VsiLoad> vsi(String vsiName) {
        String hostId = hostOfVsi.get(vsiName);
        if (hostId == null) {
            return Optional.empty();
        }
        return hosts.get(hostId).vsis().stream().filter(v -> v.name().equals(vsiName)).findFirst();
    }

    public Set<String> vsiNames() {
        return new HashSet<>(hostOfVsi.keySet());
    }

    /**
     * The cluster after {@code vsiName} moved to {@code toHost}: demand and anti-affinity group released on its
     * current host, reserved on the target. Does not check fit: planners ask the placement pipeline first.
     */
    public ClusterSnapshot withMove(String vsiName, String toHost) {
        String fromHost = hostOfVsi.get(vsiName);
        if (fromHost == null) {
            throw new IllegalArgumentException("no vsi '" + vsiName + "' in the cluster snapshot");
        }
        if (fromHost.equals(toHost)) {
            throw new IllegalArgumentException("vsi '" + vsiName + "' already runs on host '" + toHost + "'");
        }
        HostLoad target = requireHost(toHost);
        HostLoad source = hosts.get(fromHost);
        VsiLoad vsi = vsi(vsiName).orElseThrow();
        Map<String, HostLoad> next = new LinkedHashMap<>(hosts);
        next.put(fromHost, source.without(vsi));
        next.put(toHost, target.with(vsi));
        Map<String, String> nextOwners = new HashMap<>(hostOfVsi);
        nextOwners.put(vsiName, toHost);
        return new ClusterSnapshot(Collections.unmodifiableMap(next), Collections.unmodifiableMap(nextOwners));
    }
}
