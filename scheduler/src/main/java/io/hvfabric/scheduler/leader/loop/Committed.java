package io.hvfabric.scheduler.leader.loop;

/** A decision's result and the etcd revision its writes committed at (the previous revision if it wrote nothing). */
public record Committed<R>(R value, long revision) {}
