package io.hvfabric.scheduler.leader;

import io.etcd.jetcd.ByteSequence;

/**
 * One leader's term. {@code revision} is the create revision of the leader's election key: every write of the
 * leader compares it, so once the key is gone (lease expired, resigned) no write of that term can commit.
 * {@code electedAt} is the etcd revision at which the campaign was won; the key itself may be much older (a
 * candidate waits with its key in place), so "written before this term" means "revision ≤ electedAt".
 */
public record Term(String leaderId, String leaderAddress, ByteSequence key, long revision, long electedAt) {

    /** A term known only by its key (e.g. read back from etcd). */
    public Term(String leaderId, String leaderAddress, ByteSequence key, long revision) {
        this(leaderId, leaderAddress, key, revision, revision);
    }
}
