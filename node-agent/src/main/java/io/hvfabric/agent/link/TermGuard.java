package io.hvfabric.agent.link;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Remembers the highest leader term this agent has seen. A command from an older term comes from a deposed leader
 * (or a replica with a stale view) and must not be acted on. Terms are learned ({@link #admit}) only from the
 * scheduler's command stream and heartbeat answers; a term carried as an RPC argument is only compared
 * ({@link #notOlder}), so no request can raise it and make the agent ignore its real leader.
 */
public final class TermGuard {
    private final AtomicLong highest = new AtomicLong();

    /** True if {@code term} is current (not older than any seen); records it. */
    public boolean admit(long term) {
        while (true) {
            long seen = highest.get();
            if (term < seen) {
                return false;
            }
            if (term == seen || highest.compareAndSet(seen, term)) {
                return true;
            }
        }
    }

    /** True if {@code term} is not older than any seen; learns nothing. */
    public boolean notOlder(long term) {
        return term >= highest.get();
    }

    public long highest() {
        return highest.get();
    }
}
