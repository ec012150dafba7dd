package io.hvfabric.agent.qga;

/** The connection dropped (QEMU closed it or exited), broke the protocol, or the client was closed. */
public final class QgaDisconnectedException extends QgaException {
    public QgaDisconnectedException(String message) {
        super(message);
    }

    public QgaDisconnectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
