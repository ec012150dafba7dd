package io.hvfabric.cli;

/** A failure to report as one {@code hvctl: <message>} line with a chosen exit code. */
public final class CliException extends RuntimeException {
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    private final int exitCode;

    private CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** Invalid usage: a bad flag value or a request the server rejected as invalid. Exit code 2. */
    public static CliException usage(String message) {
        return new CliException(USAGE, message, null);
    }

    public static CliException usage(String message, Throwable cause) {
        return new CliException(USAGE, message, cause);
    }

    /** Anything else that went wrong. Exit code 1. */
    public static CliException failure(String message) {
        return new CliException(FAILURE, message, null);
    }

    public static CliException failure(String message, Throwable cause) {
        return new CliException(FAILURE, message, cause);
    }

    public int exitCode() {
        return exitCode;
    }
}
