package io.hvfabric.scheduler.migrate;

/**
 * How migration streams travel between agents.
 *
 * @param tls encrypt with the fabric's certificates (false only for a fabric started --insecure)
 * @param streams parallel streams per migration: 0 sizes them per pair of hosts ({@link MultifdChannels}), N >= 1
 *     fixes them (--migration-streams)
 */
public record MigrationTransport(boolean tls, int streams) {
    public MigrationTransport {
        if (streams < 0 || streams > 255) {
            throw new IllegalArgumentException("--migration-streams must be 0 (auto) or 1..255, got " + streams);
        }
    }

    int channelsFor(int sourceCpus, int targetCpus) {
        return streams > 0 ? streams : MultifdChannels.forHosts(sourceCpus, targetCpus);
    }
}
