package io.hvfabric.agent.link;

import io.hvfabric.common.tls.CertificateSerial;
import io.hvfabric.common.tls.DenyList;
import io.hvfabric.proto.v1.Revocations;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificate deny list as this agent learned it from the scheduler: registration answers carry all of it,
 * heartbeat answers what was revoked after {@link #revision}. A revocation is permanent, so serials are only ever
 * added: a replica whose view lags can send fewer, never make the agent forget one. Until the first answer the list
 * is empty (the agent registers as it starts, before any scheduler has reason to call it).
 */
public final class LearnedDenyList implements DenyList {
    private static final Logger LOG = LoggerFactory.getLogger(LearnedDenyList.class);

    private final Set<CertificateSerial> serials = ConcurrentHashMap.newKeySet();
    private final AtomicLong revision = new AtomicLong();

    /** Adds what {@code answer} names; a serial that is not canonical hex is no serial of a scheduler's, skipped. */
    public void learn(Revocations answer) {
        for (String serial : answer.getSerialsList()) {
            try {
                if (serials.add(new CertificateSerial(serial))) {
                    LOG.info("certificate serial {} is revoked: NodeService refuses it from now on", serial);
                }
            } catch (IllegalArgumentException e) {
                LOG.warn("ignoring a revoked serial that is not canonical hex: '{}'", serial);
            }
        }
        revision.accumulateAndGet(answer.getRevision(), Math::max);
    }

    /** The newest revocation revision learned: heartbeats ask only for those after it. */
    public long revision() {
        return revision.get();
    }

    @Override
    public boolean contains(CertificateSerial serial) {
        return serials.contains(serial);
    }
}
