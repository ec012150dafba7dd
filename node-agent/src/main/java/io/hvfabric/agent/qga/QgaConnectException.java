package io.hvfabric.agent.qga;

/** The guest agent socket cannot be opened: QEMU is gone, or was started without the guest agent channel. */
public final class QgaConnectException extends QgaException {
    public QgaConnectException(String message, Throwable cause) {
        super(message, cause);
    }
}
