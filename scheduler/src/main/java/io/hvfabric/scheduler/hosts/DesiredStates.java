package io.hvfabric.scheduler.hosts;

import io.hvfabric.proto.v1.AgentCommand;
import io.hvfabric.proto.v1.DesiredState;
import io.hvfabric.proto.v1.VsiAssignment;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;
import java.util.function.Consumer;

/**
 * Turns the view into each host's desired state: the VSIs it owns and whether each should run. Level-triggered: a
 * subscriber gets the full set at once and again whenever it (or the leader's term) changes, so a reconnecting agent
 * or a repeated message is harmless.
 */
public final class DesiredStates {
    /** A live subscription; close it when the stream ends. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private final ClusterView view;

    public DesiredStates(ClusterView view) {
        this.view = view;
    }

    public DesiredState desiredFor(String hostId) {
        DesiredState.Builder desired = DesiredState.newBuilder().setRevision(view.revision());
        for (Versioned<VsiRecord> v : view.vsis()) {
            VsiRecord vsi = v.value();
            if (hostId.equals(vsi.getHost())) {
                desired.addVsis(VsiAssignment.newBuilder()
                        .setSpec(vsi.getSpec())
                        .setDesired(vsi.getDesired())
                        .setImage(vsi.getImage())
                        .setGeneration(v.modRevision()));
            }
        }
        return desired.build();
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
                && a.getDesired().getVsisList().equals(b.getDesired().getVsisList());
    }
}
