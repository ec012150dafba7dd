package io.hvfabric.common.error;

/**
 * How an error message quotes what a caller sent: at most {@link #MAX} characters of it, anything outside printable
 * ASCII shown as a {@code \\uXXXX} escape, and "…" when cut. A refused 10,000-character name must not come back as a
 * 10,000-character status trailer (clients refuse trailers over 8 KiB), nor a control character reach a log line.
 */
public final class Excerpt {
    /** Characters of the caller's input an error message may repeat. */
    public static final int MAX = 64;

    private Excerpt() {}

    public static String of(CharSequence value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), MAX) + 8);
        int i = 0;
        while (i < value.length() && out.length() < MAX) {
            char c = value.charAt(i++);
            if (c >= 0x20 && c <= 0x7e) {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        if (i < value.length()) {
            out.append('…');
        }
        return out.toString();
    }
}
