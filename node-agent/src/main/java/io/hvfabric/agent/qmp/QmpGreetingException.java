package io.hvfabric.agent.qmp;

/** The peer sent no greeting in time, or something that is not a QMP greeting. */
public final class QmpGreetingException extends QmpException {
    public QmpGreetingException(String message) {
        super(message);
    }

    public QmpGreetingException(String message, Throwable cause) {
        super(message, cause);
    }
}
