package io.hvfabric.agent.qmp;

/** {@code qmp_capabilities} was rejected or not answered. */
public final class QmpNegotiationException extends QmpException {
    public QmpNegotiationException(String message) {
        super(message);
    }

    public QmpNegotiationException(String message, Throwable cause) {
        super(message, cause);
    }
}
