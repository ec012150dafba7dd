package io.hvfabric.scheduler.migrate;

import io.hvfabric.migration.MigrationPhases;
import io.hvfabric.migration.MigrationStateMachine;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs migrations for the leader. On election it first settles every migration a previous leader left in flight
 * (a switchover completes if its target confirms the guest runs there, anything else rolls back), then runs each newly accepted migration on its own
 * thread. Only the migration controller migrates: drains and the rebalancer just create records.
 */
public final class MigrationController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationController.class);

    private final ClusterView view;
    private final MigrationOperations ops;
    private final AgentChannels agents;
    private final MigrationMetrics metrics = new MigrationMetrics();
    private final MigrationTransport transport;
    private final Predicate<Term> leads;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "migration");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Term> running = new ConcurrentHashMap<>();

    public MigrationController(ClusterView view, MigrationOperations ops, AgentChannels agents, MigrationTransport transport,
                               Predicate<Term> leads) {
        this.view = view;
        this.ops = ops;
        this.agents = agents;
        this.transport = transport;
        this.leads = leads;
    }

    /** New leader: settle what the previous leader left in flight, deterministically by phase. */
    public void onElected(Term term) {
        executor.execute(() -> {
            view.awaitRevision(term.electedAt(), 10_000); // see everything written before this term began
            for (Versioned<Migration> v : view.migrations()) {
                Migration m = v.value();
                // Only what earlier terms left: anything created in this term is this leader's own.
                if (MigrationPhases.isTerminal(m.getPhase()) || running.containsKey(m.getId())
                        || v.createRevision() > term.electedAt()) {
                    continue;
                }
                LOG.info("recovering migration {} found in {}", m.getId(), m.getPhase());
                try {
                    MigrationRunner.recover(m.getId(), term, view, ops, agents, metrics, transport, leads,
                            executor, SwitchoverLimits.DEFAULT);
                } catch (RuntimeException e) {
                    LOG.warn("recovery of migration {} failed: {}", m.getId(), e.toString());
                }
            }
        });
    }

    /** Starts the runner of a migration this leader just accepted. */
    public void start(Term term, String migrationId) {
        if (running.putIfAbsent(migrationId, term) != null) {
            return;
        }
        executor.execute(() -> {
            try {
                new MigrationRunner(migrationId, term, view, ops, agents, metrics, transport, leads, executor,
                        SwitchoverLimits.DEFAULT).run();
            } finally {
                running.remove(migrationId);
            }
        });
    }

    public int inFlight() {
        return running.size();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
