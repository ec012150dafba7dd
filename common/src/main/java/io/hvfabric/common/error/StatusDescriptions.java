package io.hvfabric.common.error;

import io.grpc.Status;
import java.nio.charset.StandardCharsets;

/**
 * Bounds the description of every status a fabric server sends. The description travels percent-encoded in the
 * {@code grpc-message} trailer, and a client whose trailers exceed its header list limit (8 KiB by default) sees
 * only an INTERNAL "http2 exception" instead of the real code: 1 KiB of UTF-8 stays far below that even encoded.
 */
public final class StatusDescriptions {
    /** UTF-8 bytes of a description; percent-encoding at most triples them on the wire. */
    public static final int MAX_BYTES = 1024;

    private StatusDescriptions() {}

    public static Status bounded(Status status) {
        String description = status.getDescription();
        String bounded = bound(description);
        return bounded == description ? status : status.withDescription(bounded);
    }

    /** {@code description} itself when it fits, else its longest prefix of whole code points that fits, plus "…". */
    public static String bound(String description) {
        if (description == null || description.length() <= MAX_BYTES / 3
                || description.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES) {
            return description;
        }
        int budget = MAX_BYTES - 3; // the ellipsis is 3 bytes
        int end = 0;
        while (end < description.length()) {
            int cp = description.codePointAt(end);
            int bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes > budget) {
                break;
            }
            budget -= bytes;
            end += Character.charCount(cp);
        }
        return description.substring(0, end) + "…";
    }
}
