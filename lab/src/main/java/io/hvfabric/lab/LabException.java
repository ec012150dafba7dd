package io.hvfabric.lab;

/** A lab operation failed; the message is one line fit for an operator. */
public class LabException extends RuntimeException {
    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
