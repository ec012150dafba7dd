package io.hvfabric.agent.qmp;

/** The connection is not (or no longer) running: closed by us, by QEMU, or never opened. */
public final class QmpDisconnectedException extends QmpException {
    public QmpDisconnectedException(String message) {
        super(message);
    }

    public QmpDisconnectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
