package io.hvfabric.scheduler.revocation;

import io.hvfabric.proto.v1.Revocations;
import io.hvfabric.proto.v1.RevokedCertificate;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;

/**
 * The deny list as agents learn it, in heartbeat and registration answers: only the serials committed after the
 * revision the agent already holds, so a steady heartbeat carries none. Entries are never rewritten (a second
 * revocation changes nothing), so an entry's mod revision is when it appeared, and a replica whose view lags sends
 * fewer serials, never a list that forgets one: the agent keeps every serial it was ever sent.
 */
public final class AgentRevocations {
    private AgentRevocations() {}

    /** The serials revoked after {@code revision} (0: all of them), with the newest revision among all entries. */
    public static Revocations after(ClusterView view, long revision) {
        Revocations.Builder answer = Revocations.newBuilder();
        long newest = 0;
        for (Versioned<RevokedCertificate> entry : view.revokedCertificates()) {
            newest = Math.max(newest, entry.modRevision());
            if (entry.modRevision() > revision) {
                answer.addSerials(entry.value().getSerial());
            }
        }
        return answer.setRevision(newest).build();
    }
}
