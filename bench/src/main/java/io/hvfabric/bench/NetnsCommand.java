package io.hvfabric.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Prefixes a command with {@code ip netns exec NS} when the lab host has a namespace (loopback labs have none). */
final class NetnsCommand {
    private NetnsCommand() {
    }

    static List<String> in(Optional<String> namespace, List<String> command) {
        List<String> argv = new ArrayList<>();
        namespace.ifPresent(ns -> argv.addAll(List.of("ip", "netns", "exec", ns)));
        argv.addAll(command);
        return argv;
    }
}
