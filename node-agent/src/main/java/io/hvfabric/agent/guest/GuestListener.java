package io.hvfabric.agent.guest;

import java.util.Optional;

/** Told when a VSI's guest changes state, so the heartbeat goes out early and metrics follow. */
@FunctionalInterface
public interface GuestListener {
    /**
     * @param state the state entered; empty when the VSI's monitor was removed (stopped, destroyed, left the host)
     */
    void changed(String vsi, Optional<GuestState> state);
}
