package io.hvfabric.lab;

import java.util.List;

/** What `lab status` reports: the lab and each of its components with whether its process is alive. */
public record LabStatus(
        String name,
        String dir,
        String network,
        int hosts,
        List<String> schedulerEndpoints,
        String tlsDir,
        List<Component> components) {

    public record Component(ComponentKind kind, String id, long pid, String address, String namespace, boolean alive) {}

    public LabStatus {
        schedulerEndpoints = List.copyOf(schedulerEndpoints);
        components = List.copyOf(components);
    }

    /** Every planned component was started and is alive (a crashed `up` leaves agents unstarted). */
    public boolean healthy() {
        return missingAgents() == 0 && components.stream().allMatch(Component::alive);
    }

    public boolean allAlive() {
        return components.stream().allMatch(Component::alive);
    }

    /** Hosts planned but never started. */
    public int missingAgents() {
        return hosts - (int) components.stream().filter(c -> c.kind() == ComponentKind.AGENT).count();
    }

    static LabStatus of(LabState state) {
        List<Component> components = state.components().stream()
                .map(c -> new Component(c.kind(), c.id(), c.pid(), c.spec().address(), c.spec().namespace(),
                        Processes.isSame(c.pid(), c.startTicks())))
                .toList();
        return new LabStatus(state.name(), state.dir(), state.network(), state.hosts(), state.schedulerEndpoints(),
                state.tlsDir(), components);
    }
}
