package io.hvfabric.agent.network;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one VXLAN device's FDB must change to match the desired state. Pure.
 *
 * <p>The device learns (VXLAN learning on) and the per-MAC entries are dynamic, so when a migrated guest's RARP
 * arrives from its new host every peer repoints that MAC at once, before any desired state says so; static entries
 * would not move, and the kernel drops what arrives from a VTEP other than a static entry's. The desired state stays
 * the source of truth: such a learned move is kept only while the desired entry is unchanged since we last wrote it
 * and for at most {@code grace} after the kernel learned it; any change of the desired state is applied at once.
 */
public final class FdbPlan {
    /** How long a move the kernel learned may disagree with an unchanged desired state. */
    public static final Duration LEARNED_GRACE = Duration.ofSeconds(30);

    private FdbPlan() {}

    /** @param flood the VTEPs BUM traffic is replicated to; @param macs each remote MAC's VTEP */
    public record Desired(Set<String> flood, Map<String, String> macs) {
        /** One all-zero entry per peer and one entry per peer MAC, never towards this host itself. */
        public static Desired of(NetworkSpec net, String selfAddress) {
            Set<String> flood = new TreeSet<>();
            Map<String, String> macs = new LinkedHashMap<>();
            for (NetworkSpec.Peer peer : net.peers()) {
                if (peer.address().equals(selfAddress)) {
                    continue;
                }
                flood.add(peer.address());
                for (String mac : peer.macs()) {
                    macs.putIfAbsent(mac, peer.address()); // listed twice: the first owner wins
                }
            }
            return new Desired(flood, macs);
        }
    }

    /**
     * @param appendFlood all-zero entries to add; @param point MAC entries to add or repoint (as dynamic);
     * @param delete entries to remove; @param written what we hold each desired MAC's entry to after this plan
     */
    public record Plan(List<FdbEntry> appendFlood, List<FdbEntry> point, List<FdbEntry> delete,
                       Map<String, String> written) {
        public boolean isEmpty() {
            return appendFlood.isEmpty() && point.isEmpty() && delete.isEmpty();
        }

        /** The plan as {@code bridge -batch} lines for device {@code dev}. */
        public List<String> batch(String dev) {
            List<String> lines = new ArrayList<>();
            delete.forEach(e -> lines.add("fdb del " + e.mac() + " dev " + dev + " dst " + e.dst()));
            appendFlood.forEach(e -> lines.add("fdb append " + e.mac() + " dev " + dev + " dst " + e.dst()));
            point.forEach(e -> lines.add("fdb replace " + e.mac() + " dev " + dev + " dst " + e.dst() + " dynamic"));
            return lines;
        }
    }

    /**
     * @param actual the device's own entries (those with a dst)
     * @param written each MAC's VTEP as this agent last converged it; empty after a restart, when desired simply wins
     */
    public static Plan diff(Desired desired, List<FdbEntry> actual, Map<String, String> written, Duration grace) {
        List<FdbEntry> appendFlood = new ArrayList<>();
        List<FdbEntry> point = new ArrayList<>();
        List<FdbEntry> delete = new ArrayList<>();
        Map<String, String> nextWritten = new HashMap<>();

        Set<String> floodNow = new TreeSet<>();
        Map<String, List<FdbEntry>> byMac = new LinkedHashMap<>();
        for (FdbEntry e : actual) {
            if (e.flood()) {
                floodNow.add(e.dst());
                if (!desired.flood().contains(e.dst())) {
                    delete.add(e);
                }
            } else {
                byMac.computeIfAbsent(e.mac(), m -> new ArrayList<>()).add(e);
            }
        }
        desired.flood().stream().filter(d -> !floodNow.contains(d))
                .forEach(d -> appendFlood.add(new FdbEntry(FdbEntry.FLOOD, d, false, 0)));

        for (Map.Entry<String, String> want : desired.macs().entrySet()) {
            String mac = want.getKey();
            String dst = want.getValue();
            List<FdbEntry> now = byMac.getOrDefault(mac, List.of());
            if (now.size() == 1 && now.get(0).dst().equals(dst)) {
                nextWritten.put(mac, dst);
            } else if (now.size() == 1 && learnedMove(now.get(0), dst, written.get(mac), grace)) {
                nextWritten.put(mac, written.get(mac)); // still what we wrote: the next change of desired wins
            } else {
                if (now.size() > 1) {
                    delete.addAll(now); // several VTEPs for one MAC: none of ours; start over
                }
                point.add(new FdbEntry(mac, dst, true, 0));
                nextWritten.put(mac, dst);
            }
        }
        for (Map.Entry<String, List<FdbEntry>> e : byMac.entrySet()) {
            if (desired.macs().containsKey(e.getKey())) {
                continue;
            }
            for (FdbEntry stale : e.getValue()) {
                boolean learnedRecently = !written.containsKey(stale.mac()) && stale.dynamic()
                        && stale.updatedSeconds() < grace.toSeconds() && desired.flood().contains(stale.dst());
                if (!learnedRecently) {
                    delete.add(stale); // a MAC we wrote and no longer want, or one learned from no peer of ours
                }
            }
        }
        return new Plan(appendFlood, point, delete, nextWritten);
    }

    /** The kernel repointed an entry we wrote, the desired state has not changed since, and it did so recently. */
    private static boolean learnedMove(FdbEntry now, String desiredDst, String writtenDst, Duration grace) {
        return now.dynamic() && desiredDst.equals(writtenDst) && !now.dst().equals(writtenDst)
                && now.updatedSeconds() < grace.toSeconds();
    }
}
