package io.hvfabric.agent.qmp;

/** Lifecycle of a {@link QmpClient} connection, as in QEMU's python client (protocol.py). */
public enum QmpRunState {
    /** Not connected; {@link QmpClient#connect} may be called. */
    IDLE,
    /** Socket opened, waiting for the greeting and capability negotiation. */
    CONNECTING,
    /** Negotiated; commands may be executed and events arrive. */
    RUNNING,
    /** Closing: pending commands are failed, the reader thread is stopping. */
    DISCONNECTING
}
