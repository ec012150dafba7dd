package io.hvfabric.agent.qga;

/** A synced agent did not answer a command in time. The next call resyncs first, discarding the late reply. */
public final class QgaTimeoutException extends QgaException {
    public QgaTimeoutException(String message) {
        super(message);
    }
}
