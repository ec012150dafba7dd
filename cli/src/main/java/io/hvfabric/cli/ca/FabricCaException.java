package io.hvfabric.cli.ca;

/** A CA directory is missing, already initialised, or unreadable. Bad arguments raise IllegalArgumentException. */
public final class FabricCaException extends RuntimeException {
    public FabricCaException(String message) {
        super(message);
    }

    public FabricCaException(String message, Throwable cause) {
        super(message, cause);
    }
}
