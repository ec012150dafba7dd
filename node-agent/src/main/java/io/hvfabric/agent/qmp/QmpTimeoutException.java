package io.hvfabric.agent.qmp;

/** A command got no reply within its timeout; the connection stays usable. */
public final class QmpTimeoutException extends QmpException {
    public QmpTimeoutException(String message) {
        super(message);
    }
}
