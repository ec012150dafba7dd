package io.hvfabric.agent.qmp;

import java.io.IOException;

/** Base of all QMP failures; subclasses name the phase that failed. */
public class QmpException extends IOException {
    public QmpException(String message) {
        super(message);
    }

    public QmpException(String message, Throwable cause) {
        super(message, cause);
    }
}
