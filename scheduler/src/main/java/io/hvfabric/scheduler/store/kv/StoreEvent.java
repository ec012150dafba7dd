package io.hvfabric.scheduler.store.kv;

/**
 * One change a watch reports. For a delete, {@code entry} carries the key, an empty value and the deleting revision
 * as its mod revision, as etcd's delete events do.
 */
public record StoreEvent(Type type, StoreEntry entry) {
    public enum Type { PUT, DELETE }
}
