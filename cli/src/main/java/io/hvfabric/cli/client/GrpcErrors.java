package io.hvfabric.cli.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hvfabric.cli.CliException;
import java.util.Locale;

/** Turns a gRPC status into the CLI's one-line message and exit code. */
public final class GrpcErrors {
    private GrpcErrors() {}

    /** INVALID_ARGUMENT is the caller's mistake (exit 2); every other code is a failure (exit 1). */
    public static CliException toCliException(StatusRuntimeException e) {
        Status status = e.getStatus();
        String message = codeWords(status.getCode()) + ": " + detail(status);
        String described = status.getDescription() != null
                        && status.getDescription().toLowerCase(Locale.ROOT).startsWith(codeWords(status.getCode()))
                ? detail(status)
                : message;
        return status.getCode() == Status.Code.INVALID_ARGUMENT
                ? CliException.usage(described, e)
                : CliException.failure(described, e);
    }

    /** "NOT_FOUND" becomes "not found". */
    public static String codeWords(Status.Code code) {
        return code.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    /** The description, followed by the root cause when there is one (e.g. "Connection refused"). */
    public static String detail(Status status) {
        String description = status.getDescription();
        String cause = rootCauseMessage(status.getCause());
        String text;
        if (description == null || description.isBlank()) {
            text = cause != null ? cause : codeWords(status.getCode());
        } else if (cause == null || description.contains(cause)) {
            text = description;
        } else {
            text = description + ": " + cause;
        }
        return oneLine(text);
    }

    static String rootCauseMessage(Throwable cause) {
        if (cause == null) {
            return null;
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    public static String oneLine(String text) {
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}
