package io.hvfabric.scheduler.store.kv;

import java.util.List;
import java.util.Optional;

/** Entries read together, sorted by key, and the store revision they were read at. */
public record StoreRange(List<StoreEntry> entries, long revision) {
    public StoreRange {
        entries = List.copyOf(entries);
    }

    public Optional<StoreEntry> single() {
        return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(0));
    }
}
