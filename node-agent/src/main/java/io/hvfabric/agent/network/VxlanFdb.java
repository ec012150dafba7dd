package io.hvfabric.agent.network;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads and writes the FDB of each network's VXLAN device (see {@link FdbPlan} for what it holds and why). */
final class VxlanFdb {
    private static final Logger LOG = LoggerFactory.getLogger(VxlanFdb.class);

    private final CommandRunner host;
    private final String selfAddress;
    private final Duration grace;
    /** Per VNI, each MAC's VTEP as last converged; in memory only, so a restarted agent lets desired win. */
    private final Map<Integer, Map<String, String>> written = new ConcurrentHashMap<>();

    VxlanFdb(CommandRunner host, String selfAddress, Duration grace) {
        this.host = host;
        this.selfAddress = selfAddress;
        this.grace = grace;
    }

    /** @param entries every VXLAN device's own entries now ({@link #readAll}) */
    void converge(NetworkSpec net, Map<String, List<FdbEntry>> entries) {
        String dev = NetNames.vxlan(net.vni());
        FdbPlan.Plan plan = FdbPlan.diff(FdbPlan.Desired.of(net, selfAddress), entries.getOrDefault(dev, List.of()),
                written.getOrDefault(net.vni(), Map.of()), grace);
        if (!plan.isEmpty()) {
            // -force: one entry the kernel refuses (already gone) must not keep the others from being written
            host.run(List.of("bridge", "-force", "-batch", "-"), String.join("\n", plan.batch(dev)) + "\n");
            LOG.info("network {} (vni {}): FDB of {}: {}", net.id(), net.vni(), dev, String.join("; ", plan.batch(dev))
                    .replace(" dev " + dev, ""));
        }
        written.put(net.vni(), plan.written());
    }

    void forget(int vni) {
        written.remove(vni);
    }

    /** One read for all networks: each VXLAN device's own entries, by device. */
    Map<String, List<FdbEntry>> readAll() {
        return parseByDevice(host.run("bridge", "-j", "-s", "fdb", "show").stdout());
    }

    /** The device's own entries, from {@code bridge -j -s fdb show dev <dev>}. */
    static List<FdbEntry> parse(String json) {
        return parseByDevice(json).values().stream().flatMap(List::stream).toList();
    }

    /**
     * A VXLAN device's own entries are those with a VTEP ({@code dst}); the bridge's entries for the port (with
     * {@code master}) and other devices' entries are not ours to manage.
     */
    static Map<String, List<FdbEntry>> parseByDevice(String json) {
        Map<String, List<FdbEntry>> byDev = new LinkedHashMap<>();
        try {
            for (JsonNode e : LinkTable.JSON.readTree(json.isBlank() ? "[]" : json)) {
                if (!e.has("dst") || e.has("master")) {
                    continue;
                }
                String state = e.path("state").asText("");
                boolean dynamic = !state.equals("permanent") && !state.equals("static") && !state.equals("noarp");
                byDev.computeIfAbsent(e.path("ifname").asText(""), d -> new ArrayList<>()).add(new FdbEntry(
                        e.path("mac").asText(), e.path("dst").asText(), dynamic, e.path("updated").asLong(0)));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot parse bridge -j fdb output: " + e.getMessage(), e);
        }
        return byDev;
    }
}
