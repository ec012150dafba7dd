package io.hvfabric.lab;

/** A started component: its spec plus the process that runs it. */
public record ComponentRecord(ComponentSpec spec, long pid, long startTicks) {
    public String id() {
        return spec.id();
    }

    public ComponentKind kind() {
        return spec.kind();
    }
}
