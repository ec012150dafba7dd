package io.hvfabric.agent.network;

/** A data-plane command failed or hung; the message holds the command and what it printed on stderr. */
public final class NetworkCommandException extends RuntimeException {
    private final CommandResult result;

    public NetworkCommandException(CommandResult result) {
        super(String.join(" ", result.argv()) + " exited " + result.exitCode() + ": " + result.stderr().strip());
        this.result = result;
    }

    public CommandResult result() {
        return result;
    }
}
