package io.hvfabric.agent.qga;

/** The guest agent answered a command with {@code {"error": {"class": ..., "desc": ...}}}. */
public final class QgaErrorException extends QgaException {
    private final String command;
    private final String errorClass;
    private final String description;

    public QgaErrorException(String command, String errorClass, String description) {
        super("guest agent command '" + command + "' failed: " + errorClass + ": " + description);
        this.command = command;
        this.errorClass = errorClass;
        this.description = description;
    }

    public String command() {
        return command;
    }

    /** The agent's error class, e.g. {@code GenericError}, {@code CommandNotFound}. */
    public String errorClass() {
        return errorClass;
    }

    public String description() {
        return description;
    }
}
