package io.hvfabric.scheduler.leader;

import io.etcd.jetcd.ByteSequence;

/**
 * One leader's term. {@code revision} is the create revision of the leader's election key: every write of the
 * leader compares it, so once the key is gone (lease expired, resigned) no write of that term can commit.
 */
public record Term(String leaderId, String leaderAddress, ByteSequence key, long revision) {}
