package io.hvfabric.scheduler.hosts;

import io.hvfabric.proto.v1.AgentCommand;
import io.hvfabric.migration.MigrationPhases;
import io.hvfabric.migration.MigrationStateMachine;
import io.hvfabric.proto.v1.DesiredState;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.VsiAssignment;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.scheduler.network.NetworkId;
import io.hvfabric.scheduler.network.NetworkTopology;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Turns the view into each host's desired state: the VSIs it owns and whether each should run, and the networks
 * their vNICs are on with the other hosts carrying each (so a migration's ownership commit repoints a MAC on every
 * host's desired state at once), and the local volumes it holds (so it deletes the files of any other). Level-triggered: a
 * subscriber gets the full set at once and again whenever it (or the leader's term) changes, so a reconnecting agent
 * or a repeated message is harmless.
 */
public final class DesiredStates {
    /** A live subscription; close it when the stream ends. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    public static final String MIGRATING_OUT = "MIGRATING_OUT";
    public static final String MIGRATING_IN = "MIGRATING_IN";

    private final ClusterView view;
    /** Built once per view revision, however many hosts' states are computed from it. */
    private final NetworkTopology.Latest topology;

    public DesiredStates(ClusterView view) {
        this.view = view;
        this.topology = new NetworkTopology.Latest(view);
    }

    /**
     * The VSIs this host owns, plus those migrating to or from it. While a migration is in flight the source keeps
     * its copy as MIGRATING_OUT (left alone, even once paused, until the migration ends) and the target holds the
     * incoming copy as MIGRATING_IN until ownership moves, which is when the migration completes. Every network a
     * VSI of the set (any role) has a vNIC on comes with it, by id.
     */
    public DesiredState desiredFor(String hostId) {
        DesiredState.Builder desired = DesiredState.newBuilder().setRevision(view.revision());
        TreeSet<String> networks = new TreeSet<>();
        for (Versioned<VsiRecord> v : view.vsis()) {
            VsiRecord vsi = v.value();
            Migration migration = vsi.getMigrationId().isEmpty()
                    ? null
                    : view.migration(vsi.getMigrationId()).map(Versioned::value).orElse(null);
            String role = roleOf(hostId, vsi, migration);
            if (role != null) {
                desired.addVsis(VsiAssignment.newBuilder()
                        .setSpec(vsi.getSpec())
                        .setDesired(role)
                        .setImage(vsi.getImage())
                        .setGeneration(v.modRevision()));
                for (NicSpec nic : vsi.getSpec().getNicsList()) {
                    networks.add(NetworkId.ofNic(vsi.getSpec(), nic).key());
                }
            }
        }
        view.allocation(hostId).ifPresent(alloc -> desired.addAllVolumes(alloc.value().getVolumesList()));
        if (!networks.isEmpty()) {
            NetworkTopology carriers = topology.current();
            for (String key : networks) {
                view.network(key).ifPresent(n -> desired.addNetworks(carriers.forHost(n.value(), hostId)));
            }
        }
        return desired.build();
    }

    private static String roleOf(String hostId, VsiRecord vsi, Migration migration) {
        boolean inFlight = migration != null && !MigrationPhases.isTerminal(migration.getPhase());
        if (inFlight && hostId.equals(migration.getFrom())) {
            return MIGRATING_OUT;
        }
        if (inFlight && hostId.equals(migration.getTo()) && !hostId.equals(vsi.getHost())) {
            return MIGRATING_IN;
        }
        return hostId.equals(vsi.getHost()) ? vsi.getDesired() : null;
    }

    public Subscription subscribe(String hostId, Consumer<AgentCommand> sink) {
        Object lock = new Object();
        AgentCommand[] last = new AgentCommand[1];
        ClusterView.ChangeListener listener = revision -> {
            var leader = view.leader();
            if (leader.isEmpty()) {
                return; // nobody leads: nothing authoritative to send
            }
            DesiredState desired = desiredFor(hostId);
            AgentCommand command = AgentCommand.newBuilder()
                    .setTerm(leader.get().createRevision())
                    .setLeader(leader.get().record().getId())
                    .setDesired(desired)
                    .build();
            synchronized (lock) {
                if (last[0] != null && sameContent(last[0], command)) {
                    return;
                }
                last[0] = command;
            }
            sink.accept(command);
        };
        view.addListener(listener);
        listener.onChange(view.revision());
        return () -> view.removeListener(listener);
    }

    /** Equal apart from the revision stamp: the agent needs nothing new. */
    private static boolean sameContent(AgentCommand a, AgentCommand b) {
        return a.getTerm() == b.getTerm()
                && a.getDesired().getVsisList().equals(b.getDesired().getVsisList())
                && a.getDesired().getNetworksList().equals(b.getDesired().getNetworksList())
                && a.getDesired().getVolumesList().equals(b.getDesired().getVolumesList());
    }
}
