package io.hvfabric.agent.qmp;

/**
 * Receives QMP events. Called on the client's event thread, one event at a time, in arrival order;
 * a listener may execute commands on the same client.
 */
@FunctionalInterface
public interface QmpEventListener {
    void onEvent(QmpEvent event);
}
