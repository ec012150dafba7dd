package io.hvfabric.agent.qmp;

/** Result of {@code query-status}: QEMU's run state string (e.g. "running", "paused", "inmigrate"). */
public record QmpStatus(String status, boolean running) {}
