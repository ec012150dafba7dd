package io.hvfabric.scheduler.leader;

import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.hvfabric.common.error.FabricException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Commits the leader's writes. Each transaction also compares the leader key's create revision with the term, so a
 * deposed leader (its key expired or replaced) can never write, whatever it believes.
 */
public final class FencedWriter {
    /** What a fenced transaction did: committed at {@code revision}, or lost a compare on the caller's records. */
    public record Outcome(boolean committed, long revision) {}

    private final KV kv;
    private final LeaderElection election;

    public FencedWriter(KV kv, LeaderElection election) {
        this.kv = kv;
        this.election = election;
    }

    /**
     * Commits {@code ops} if this replica still leads {@code term} and every compare in {@code compares} holds.
     *
     * @throws FabricException NOT_LEADER when the term is over (the caller must not retry as leader)
     */
    public Outcome commit(Term term, List<Cmp> compares, List<Op> ops) {
        List<Cmp> all = new ArrayList<>(compares.size() + 1);
        all.add(new Cmp(term.key(), Cmp.Op.EQUAL, CmpTarget.createRevision(term.revision())));
        all.addAll(compares);
        TxnResponse response = await(kv.txn().If(all.toArray(Cmp[]::new)).Then(ops.toArray(Op[]::new)).commit());
        if (response.isSucceeded()) {
            return new Outcome(true, response.getHeader().getRevision());
        }
        if (!stillLeads(term)) {
            if (election != null) {
                election.stepDown(term);
            }
            throw FabricException.termEnded(term.revision());
        }
        return new Outcome(false, response.getHeader().getRevision());
    }

    private boolean stillLeads(Term term) {
        GetResponse current = await(kv.get(term.key()));
        return current.getKvs().size() == 1 && current.getKvs().get(0).getCreateRevision() == term.revision();
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> future) {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw FabricException.unavailable("interrupted while writing to etcd");
        } catch (Exception e) {
            throw FabricException.unavailable("etcd write failed: " + rootMessage(e));
        }
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
