package io.hvfabric.scheduler.rebalance;

/** A move that would have helped the balance but was refused, and why (e.g. predicted not to converge). */
public record VetoedMove(String vsiName, String fromHost, String toHost, String reason) {}
