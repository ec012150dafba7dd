package io.hvfabric.agent.driver.qemu;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ids a host hands its VSIs, one per VSI, each used as both the uid and the gid of that VSI's QEMU.
 *
 * <p>The default, 200000-265535 (65,536 ids), lies above Debian's regular users (1000-59999) and systemd's dynamic
 * users (61184-65519); a host whose {@code /etc/subuid} or {@code /etc/subgid} maps containers into it must choose
 * another range ({@link HostAccounts} refuses an overlap at start).
 */
public record VsiIdRange(int first, int last) {
    public static final VsiIdRange DEFAULT = new VsiIdRange(200_000, 265_535);
    /** Below are system accounts; the top stays clear of (uid_t) -1 and of tools that read uids as signed. */
    static final int MIN = 1000;
    static final int MAX = Integer.MAX_VALUE - 1;
    private static final Pattern FORMAT = Pattern.compile("(\\d{1,10})-(\\d{1,10})");
    private static final String RULE = "must be FIRST-LAST with " + MIN + " <= FIRST <= LAST <= " + MAX;

    public VsiIdRange {
        if (first < MIN || last > MAX || first > last) {
            throw new IllegalArgumentException(RULE + " (got " + first + "-" + last + ")");
        }
    }

    /** Parses {@code FIRST-LAST}, e.g. {@code 200000-265535}. */
    public static VsiIdRange parse(String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(RULE + " (got '" + shown(text) + "')");
        }
        long first = Long.parseLong(m.group(1));
        long last = Long.parseLong(m.group(2));
        if (first > MAX || last > MAX) {
            throw new IllegalArgumentException(RULE + " (got '" + shown(text) + "')");
        }
        return new VsiIdRange((int) first, (int) last);
    }

    /** At most 32 characters of what the operator typed: the message goes into one line and a status trailer. */
    private static String shown(String text) {
        return text == null || text.length() <= 32 ? String.valueOf(text) : text.substring(0, 32) + "...";
    }

    public boolean contains(long id) {
        return id >= first && id <= last;
    }

    public int size() {
        return last - first + 1;
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
