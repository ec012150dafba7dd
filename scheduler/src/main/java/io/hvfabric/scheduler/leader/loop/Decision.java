package io.hvfabric.scheduler.leader.loop;

/**
 * One write operation of the leader, run on the leader loop's thread: it reads, decides and records writes, and
 * must neither block nor wait for I/O. Throwing refuses it: none of its writes is kept.
 */
@FunctionalInterface
public interface Decision<R> {
    R decide(DecisionContext context);
}
