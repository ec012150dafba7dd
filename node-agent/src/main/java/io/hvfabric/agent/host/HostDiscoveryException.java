package io.hvfabric.agent.host;

/** The host's facts could not be read; the message names the source (file, call) and why. */
public final class HostDiscoveryException extends RuntimeException {
    public HostDiscoveryException(String message, Throwable cause) {
        super(message, cause);
    }

    public HostDiscoveryException(String message) {
        super(message);
    }
}
