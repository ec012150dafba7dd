package io.hvfabric.scheduler.store.kv;

/** A read or watch asked for a revision the store has compacted away; read the present and start again. */
public final class StoreCompactedException extends RuntimeException {
    private final long compactRevision;

    public StoreCompactedException(long requested, long compactRevision) {
        super("revision " + requested + " has been compacted (compacted up to " + compactRevision + ")");
        this.compactRevision = compactRevision;
    }

    public long compactRevision() {
        return compactRevision;
    }
}
