package io.hvfabric.agent.network;

import com.fasterxml.jackson.databind.JsonNode;
import io.hvfabric.common.error.FabricException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Decides {@link OverlayDecision} from {@code --overlay}, the driver and what this host has. */
public final class OverlayProbe {
    /** Everything the data plane runs (sysctl: IPv6 off on its devices). */
    static final List<String> TOOLS = List.of("ip", "bridge", "tc", "nft", "sysctl", "dnsmasq");

    private OverlayProbe() {}

    /**
     * What the decision rests on.
     *
     * @param underlayProblem why the underlay has no usable IPv4 address, empty if {@code underlay} is present
     */
    record Facts(boolean root, List<String> missingTools, Optional<Underlay> underlay, String underlayProblem) {}

    /** @throws FabricException FAILED_PRECONDITION with {@code --overlay=on} on a host that cannot run it */
    public static OverlayDecision decide(OverlayMode mode, boolean fakeDriver, String underlayDev,
                                         CommandRunner local) {
        if (mode == OverlayMode.OFF) {
            return new OverlayDecision(OverlayDecision.Kind.OFF, "--overlay=off", Optional.empty());
        }
        return decide(mode, fakeDriver, facts(underlayDev, local));
    }

    static OverlayDecision decide(OverlayMode mode, boolean fakeDriver, Facts facts) {
        if (mode == OverlayMode.OFF) {
            return new OverlayDecision(OverlayDecision.Kind.OFF, "--overlay=off", Optional.empty());
        }
        if (fakeDriver) {
            return new OverlayDecision(OverlayDecision.Kind.SIMULATED,
                    "the fake driver runs no guests: vNICs are named, nothing is made on the host", facts.underlay());
        }
        List<String> problems = new ArrayList<>();
        if (!facts.root()) {
            problems.add("the agent is not root");
        }
        if (!facts.missingTools().isEmpty()) {
            problems.add("not installed: " + String.join(", ", facts.missingTools()));
        }
        if (facts.underlay().isEmpty()) {
            problems.add(facts.underlayProblem());
        }
        if (problems.isEmpty()) {
            Underlay u = facts.underlay().get();
            return new OverlayDecision(OverlayDecision.Kind.REAL, "underlay " + u.dev() + " " + u.address() + " (MTU "
                    + u.mtu() + ")", facts.underlay());
        }
        String why = String.join("; ", problems);
        if (mode == OverlayMode.ON) {
            throw FabricException.failedPrecondition("--overlay=on, but %s", why);
        }
        return new OverlayDecision(OverlayDecision.Kind.OFF, why, facts.underlay());
    }

    static Facts facts(String underlayDev, CommandRunner local) {
        List<String> missing = TOOLS.stream().filter(t -> !CommandRunner.available(t)).toList();
        Optional<Underlay> underlay = Optional.empty();
        String problem = "";
        if (!CommandRunner.available("ip")) {
            problem = "cannot read the underlay device " + underlayDev + " without ip";
        } else {
            CommandResult r = local.attempt("ip", "-j", "-4", "addr", "show", "dev", underlayDev);
            try {
                underlay = r.ok() ? underlay(underlayDev, r.stdout()) : Optional.empty();
                problem = r.ok() ? "underlay device " + underlayDev + " has no IPv4 address"
                        : "underlay device " + underlayDev + ": " + r.stderr().strip();
            } catch (RuntimeException e) {
                problem = "underlay device " + underlayDev + ": " + e.getMessage();
            }
        }
        return new Facts(effectiveUid() == 0, missing, underlay, underlay.isPresent() ? "" : problem);
    }

    /** The device's first IPv4 address and its MTU, from {@code ip -j -4 addr show dev <dev>}. */
    static Optional<Underlay> underlay(String dev, String json) {
        try {
            for (JsonNode link : LinkTable.JSON.readTree(json.isBlank() ? "[]" : json)) {
                for (JsonNode a : link.path("addr_info")) {
                    if ("inet".equals(a.path("family").asText()) && a.has("local")) {
                        return Optional.of(new Underlay(dev, a.path("local").asText(), link.path("mtu").asInt()));
                    }
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new IllegalStateException("cannot parse ip -j addr output: " + e.getMessage(), e);
        }
    }

    /** The second field of /proc/self/status's Uid line; -1 if unreadable (then not root). */
    static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
