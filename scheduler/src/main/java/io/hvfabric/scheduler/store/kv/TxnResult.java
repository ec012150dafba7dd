package io.hvfabric.scheduler.store.kv;

/** Whether the compares held, and the store's revision after the transaction (its own when it wrote something). */
public record TxnResult(boolean succeeded, long revision) {}
