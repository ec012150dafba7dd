package io.hvfabric.scheduler.migrate;

/**
 * How many parallel streams one migration may use between two hosts. Each stream (encrypting with TLS) keeps about
 * one core busy on each side while the hosts' guests keep running, so a migration takes at most half of the smaller
 * host's CPUs, and never more than {@link #MAX}. On a 2-CPU host that is one stream. Measured there (TCG, TLS, 1 GiB
 * guest, 3-4 migrations each): multifd with 2 or 4 channels moved a guest dirtying 32 MiB/s in 4.3-5.8 s instead of
 * 6.4-7.0 s, but for idle guests QEMU 7.2's end-of-migration channel sync stretched the pause to 0.5-0.9 s in 3 of 8
 * migrations (one stream: at most 0.27 s), breaking the default 300 ms objective. Downtime wins; operators who
 * prefer throughput set --migration-streams.
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
