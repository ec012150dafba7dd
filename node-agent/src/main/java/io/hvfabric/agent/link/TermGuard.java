package io.hvfabric.agent.link;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Remembers the highest leader term this agent has seen. A command from an older term comes from a deposed leader
 * (or a replica with a stale view) and must not be acted on.
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

    public long highest() {
        return highest.get();
    }
}
