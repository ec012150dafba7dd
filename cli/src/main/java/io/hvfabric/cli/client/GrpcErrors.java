package io.hvfabric.cli.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hvfabric.cli.CliException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/** Turns a gRPC status into the CLI's one-line message and exit code. */
public final class GrpcErrors {
    private GrpcErrors() {}

    /** INVALID_ARGUMENT is the caller's mistake (exit 2); every other code is a failure (exit 1). */
    public static CliException toCliException(StatusRuntimeException e) {
        Status status = e.getStatus();
        String words = codeWords(status.getCode());
        String detail = detail(status);
        // gRPC's own descriptions often start with the code already ("deadline exceeded after 9.9s").
        String message = detail.toLowerCase(Locale.ROOT).startsWith(words) ? detail : words + ": " + detail;
        return status.getCode() == Status.Code.INVALID_ARGUMENT
                ? CliException.usage(message, e)
                : CliException.failure(message, e);
    }

    /** "NOT_FOUND" becomes "not found". */
    public static String codeWords(Status.Code code) {
        return code.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    /**
     * The description's first line (gRPC appends Netty pipeline dumps after it), then the root
     * cause when there is one, e.g. "io exception: Connection refused". TLS failures are named as such.
     */
    public static String detail(Status status) {
        String description = status.getDescription() == null ? "" : status.getDescription().lines().findFirst().orElse("").trim();
        String cause = rootCauseMessage(status.getCause());
        String text;
        if (isTlsFailure(status.getCause()) || description.startsWith("ssl exception")) {
            String reason = cause != null ? cause : description.replaceFirst("^ssl exception:?\\s*", "");
            text = "TLS handshake failed: " + reason;
        } else if (description.isEmpty()) {
            text = cause != null ? cause : codeWords(status.getCode());
        } else if (cause == null || description.contains(cause)) {
            text = description;
        } else {
            text = description + ": " + cause;
        }
        return oneLine(text);
    }

    private static boolean isTlsFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
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
