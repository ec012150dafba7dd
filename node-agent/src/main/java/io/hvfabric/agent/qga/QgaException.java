package io.hvfabric.agent.qga;

import java.io.IOException;

/** Base of all guest agent failures; subclasses name the phase that failed. */
public class QgaException extends IOException {
    public QgaException(String message) {
        super(message);
    }

    public QgaException(String message, Throwable cause) {
        super(message, cause);
    }
}
