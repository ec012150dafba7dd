package io.hvfabric.scheduler.leader.loop;

import io.hvfabric.scheduler.leader.Term;

/** Runs the leader's decisions for a term and returns each one's result once it is committed and visible. */
public interface Decider {
    <R> R decide(Term term, Decision<R> decision);
}
