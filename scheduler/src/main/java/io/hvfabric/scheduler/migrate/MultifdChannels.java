package io.hvfabric.scheduler.migrate;

/**
 * How many parallel streams one migration may use between two hosts. Each stream (encrypting with TLS) keeps about
 * one core busy on each side while the hosts' guests keep running, so a migration takes at most half of the smaller
 * host's CPUs, and never more than {@link #MAX}. On a 2-CPU host that is one stream: measured there, QEMU 7.2 multifd
 * with 4 TLS channels gained nothing for an idle 1 GiB guest and stretched its stop-and-copy to 0.65 s.
 */
final class MultifdChannels {
    static final int MAX = 4;

    private MultifdChannels() {}

    /** @return 1 (one stream), 2..MAX, or 0 when a host's CPU count is unknown (the agents' own default applies) */
    static int forHosts(int sourceCpus, int targetCpus) {
        int smaller = Math.min(sourceCpus, targetCpus);
        if (smaller <= 0) {
            return 0;
        }
        return Math.max(1, Math.min(MAX, smaller / 2));
    }
}
