package io.hvfabric.common.membership;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's membership in the fabric's Pekko cluster (typed, Artery TCP, phi-accrual failure detection, Split
 * Brain Resolver; see {@link PekkoClusterConfig} for the downing choice).
 *
 * <p>If the cluster downs this member (it was unreachable for too long, or lost the scheduler majority), Pekko
 * terminates its actor system; this class then starts a fresh one on the same address after
 * {@link #REJOIN_DELAY_SECONDS}, so an agent that survived a partition rejoins by itself. A new incarnation on the
 * same host:port (restarted process) replaces the old member: Pekko downs and removes the old one when the new one
 * joins.
 *
 * <p>Views are read on demand from {@code Cluster.state()}, which the cluster keeps up to date from its events.
 */
public final class ClusterMembership implements AutoCloseable {
    public static final String ID_ROLE_PREFIX = "id:";
    static final long REJOIN_DELAY_SECONDS = 2;
    private static final long CLOSE_TIMEOUT_SECONDS = 20;
    private static final Logger log = LoggerFactory.getLogger(ClusterMembership.class);

    private final MembershipConfig cfg;
    private final Config config;
    private final ScheduledExecutorService rejoiner;
    private volatile ActorSystem<Void> system;
    private volatile boolean closing;

    private ClusterMembership(MembershipConfig cfg, Config config) {
        this.cfg = cfg;
        this.config = config;
        this.rejoiner = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hvf-membership-rejoin-" + cfg.id());
            t.setDaemon(true);
            return t;
        });
    }

    public static ClusterMembership start(MembershipConfig cfg) {
        return start(cfg, Map.of());
    }

    /** {@code pekkoOverrides}: raw Pekko settings that win over ours (timings in tests, tuning in the lab). */
    public static ClusterMembership start(MembershipConfig cfg, Map<String, ?> pekkoOverrides) {
        ClusterMembership membership = new ClusterMembership(cfg, PekkoClusterConfig.build(cfg, pekkoOverrides));
        membership.launch();
        return membership;
    }

    /** Every member in the local view, including this one and unreachable ones. */
    public List<MemberView> members() {
        CurrentClusterState state = Cluster.get(system).state();
        Set<Member> unreachable = state.getUnreachable();
        List<MemberView> views = new ArrayList<>();
        for (Member member : state.getMembers()) {
            views.add(view(member, !unreachable.contains(member)));
        }
        return views;
    }

    /**
     * The member with this kind and id. During a restart two incarnations may share them; the reachable one, then
     * the one furthest along (Up before Joining before Leaving...), wins.
     */
    public Optional<MemberView> memberFor(String kind, String id) {
        return members().stream()
                .filter(m -> m.kind().equals(kind) && m.id().equals(id))
                .min(Comparator.comparing((MemberView m) -> !m.reachable()).thenComparing(m -> statusRank(m.status())));
    }

    /** {@link MemberView#REACHABLE}, {@link MemberView#UNREACHABLE} or {@link MemberView#ABSENT}. */
    public String reachabilityOf(String kind, String id) {
        return memberFor(kind, id)
                .map(m -> m.reachable() ? MemberView.REACHABLE : MemberView.UNREACHABLE)
                .orElse(MemberView.ABSENT);
    }

    /** This member's address, e.g. {@code pekko://hvfabric@10.0.0.5:25520} (actual port if 0 was asked). */
    public String selfAddress() {
        return Cluster.get(system).selfMember().address().toString();
    }

    /** This member as it sees itself. */
    public MemberView self() {
        Member selfMember = Cluster.get(system).selfMember();
        return view(selfMember, true);
    }

    public MembershipConfig config() {
        return cfg;
    }

    /** The current actor system (replaced after a rejoin); for tests in this package. */
    ActorSystem<Void> actorSystem() {
        return system;
    }

    /** Leaves the cluster gracefully and terminates the actor system, waiting at most 20 s. */
    @Override
    public void close() {
        ActorSystem<Void> current;
        synchronized (this) { // a rejoin in progress either finishes before this or sees closing and stops
            closing = true;
            current = system;
        }
        rejoiner.shutdownNow();
        current.terminate();
        try {
            current.getWhenTerminated().toCompletableFuture().get(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            log.warn("cluster member {} did not terminate within {} s", cfg.id(), CLOSE_TIMEOUT_SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("cluster member {} terminated with an error", cfg.id(), e);
        }
    }

    private synchronized void launch() {
        if (closing) {
            return;
        }
        ActorSystem<Void> sys = ActorSystem.create(Behaviors.empty(), cfg.systemName(), config);
        system = sys;
        if (cfg.seeds().isEmpty()) {
            Cluster cluster = Cluster.get(sys);
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        }
        sys.getWhenTerminated().whenComplete((done, error) -> onTerminated(sys));
    }

    private void onTerminated(ActorSystem<Void> sys) {
        if (closing || sys != system) {
            return;
        }
        Optional<CoordinatedShutdown.Reason> reason = CoordinatedShutdown.get(sys).getShutdownReason();
        boolean downed = reason.isPresent() && reason.get().equals(CoordinatedShutdown.clusterDowningReason());
        if (!downed) {
            return; // terminated on purpose (JVM shutdown hook, graceful leave): nothing to repair
        }
        log.warn("cluster member {} was downed by the cluster; rejoining in {} s", cfg.id(), REJOIN_DELAY_SECONDS);
        scheduleRejoin();
    }

    private void scheduleRejoin() {
        try {
            rejoiner.schedule(this::rejoin, REJOIN_DELAY_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // close() raced with the downing: stay down
        }
    }

    private void rejoin() {
        if (closing) {
            return;
        }
        try {
            launch();
        } catch (RuntimeException e) {
            log.warn("cluster member {} could not restart its actor system; retrying", cfg.id(), e);
            scheduleRejoin();
        }
    }

    private static MemberView view(Member member, boolean reachable) {
        String kind = "";
        String id = "";
        for (String role : member.getRoles()) {
            if (role.startsWith(ID_ROLE_PREFIX)) {
                id = role.substring(ID_ROLE_PREFIX.length());
            } else if (!role.startsWith("dc-") && kind.isEmpty()) {
                kind = role;
            }
        }
        return new MemberView(member.address().toString(), kind, id, member.status().toString(), reachable);
    }

    private static int statusRank(String status) {
        switch (status) {
            case "Up":
                return 0;
            case "WeaklyUp":
                return 1;
            case "Joining":
                return 2;
            case "PreparingForShutdown":
            case "ReadyForShutdown":
                return 3;
            case "Leaving":
                return 4;
            case "Exiting":
                return 5;
            case "Down":
                return 6;
            default:
                return 7;
        }
    }
}
