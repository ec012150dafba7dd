package io.hvfabric.lab;

import java.util.List;

/**
 * How to start one component, kept in the state file so a killed component restarts with the same command.
 *
 * @param address the endpoint it serves (etcd client URL host:port, gRPC host:port)
 * @param namespace network namespace it runs in, null in the root namespace
 * @param marker a command-line argument that identifies this component, checked before signalling a
 *     recorded pid so a recycled pid is never killed
 */
public record ComponentSpec(
        ComponentKind kind, String id, String address, String namespace, List<String> command, String log, String marker) {
    public ComponentSpec {
        command = List.copyOf(command);
    }
}
