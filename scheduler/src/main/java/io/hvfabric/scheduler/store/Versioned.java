package io.hvfabric.scheduler.store;

/** A record as read from etcd, with the mod revision a compare-and-swap must compare. */
public record Versioned<T>(T value, long modRevision, long createRevision) {}
