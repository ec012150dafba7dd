package io.hvfabric.agent.network;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A vNIC's bandwidth, both ways, as tc commands. Pure. Towards the guest: a token bucket (tbf) as the tap's root
 * qdisc. From the guest: the tap's ingress is redirected to its own IFB device ({@code hvi...}), whose root is the same
 * tbf, so excess is queued and paced (TCP backs off cleanly) rather than policed and dropped; the kernels we run on
 * need no police action for it, which some lack. 0 Mbit/s means unshaped: all of it goes.
 */
public final class Shaping {
    static final String LATENCY = "20ms";
    private static final long MIN_BURST_BYTES = 64 * 1024; // a full GSO super-packet from virtio-net must fit

    private Shaping() {}

    /** One qdisc as {@code tc -j qdisc show} reports it; {@code rateBytes} is tbf's rate in bytes per second. */
    public record Qdisc(String dev, String kind, boolean root, long rateBytes) {}

    /** One command; {@code mayFail} for removals of what may already be gone. */
    public record Command(List<String> argv, boolean mayFail) {}

    static Map<String, List<Qdisc>> parse(String json) {
        Map<String, List<Qdisc>> byDev = new LinkedHashMap<>();
        try {
            for (JsonNode q : LinkTable.JSON.readTree(json.isBlank() ? "[]" : json)) {
                Qdisc qdisc = new Qdisc(q.path("dev").asText(), q.path("kind").asText(),
                        q.path("root").asBoolean(false), q.path("options").path("rate").asLong(0));
                byDev.computeIfAbsent(qdisc.dev(), d -> new ArrayList<>()).add(qdisc);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot parse tc -j qdisc output: " + e.getMessage(), e);
        }
        return byDev;
    }

    /**
     * @param tapQdiscs the tap's qdiscs now; @param ifbQdiscs its IFB's; @param ifbExists whether the IFB device exists
     * @return nothing if the tap is shaped (or unshaped) as it should be
     */
    public static List<Command> commands(String tap, long mbps, List<Qdisc> tapQdiscs, List<Qdisc> ifbQdiscs,
                                         boolean ifbExists) {
        String ifb = NetNames.ifb(tap);
        List<Command> c = new ArrayList<>();
        boolean tapTbf = tapQdiscs.stream().anyMatch(q -> q.root() && q.kind().equals("tbf"));
        boolean tapIngress = tapQdiscs.stream().anyMatch(q -> q.kind().equals("ingress"));
        if (mbps <= 0) {
            if (tapTbf) {
                c.add(new Command(List.of("tc", "qdisc", "del", "dev", tap, "root"), true));
            }
            if (tapIngress) {
                c.add(new Command(List.of("tc", "qdisc", "del", "dev", tap, "ingress"), true));
            }
            if (ifbExists) {
                c.add(new Command(List.of("ip", "link", "del", ifb), true));
            }
            return c;
        }
        long rate = mbps * 125_000;
        if (ifbExists && tapIngress && hasRate(tapQdiscs, rate) && hasRate(ifbQdiscs, rate)) {
            return c;
        }
        String rateArg = mbps + "mbit";
        String burst = Long.toString(Math.max(MIN_BURST_BYTES, mbps * 500)); // 4 ms at the rate
        if (!ifbExists) {
            c.add(new Command(List.of("ip", "link", "add", ifb, "type", "ifb"), false));
        }
        c.add(new Command(List.of("ip", "link", "set", "dev", ifb, "up"), false));
        for (String dev : List.of(tap, ifb)) {
            c.add(new Command(List.of("tc", "qdisc", "replace", "dev", dev, "root", "tbf", "rate", rateArg,
                    "burst", burst, "latency", LATENCY), false));
        }
        c.add(new Command(List.of("tc", "qdisc", "del", "dev", tap, "ingress"), true)); // drops any old filter with it
        c.add(new Command(List.of("tc", "qdisc", "add", "dev", tap, "handle", "ffff:", "ingress"), false));
        c.add(new Command(List.of("tc", "filter", "add", "dev", tap, "parent", "ffff:", "protocol", "all", "prio", "1",
                "u32", "match", "u32", "0", "0", "action", "mirred", "egress", "redirect", "dev", ifb), false));
        return c;
    }

    /** A root tbf within 1 % of the rate (tc rounds). */
    private static boolean hasRate(List<Qdisc> qdiscs, long rateBytes) {
        return qdiscs.stream().anyMatch(q -> q.root() && q.kind().equals("tbf")
                && Math.abs(q.rateBytes() - rateBytes) <= rateBytes / 100);
    }
}
