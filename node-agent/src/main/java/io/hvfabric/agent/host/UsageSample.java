package io.hvfabric.agent.host;

/** The host's load at one moment, as heartbeats carry it. */
public record UsageSample(double loadAverage1m, long memoryAvailableMib, long diskFreeGib) {}
