package io.hvfabric.common.error;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The one exception type of the fabric's error taxonomy. Services throw it; {@link GrpcErrors} turns it into a
 * gRPC status only at the edge.
 *
 * <p>Message conventions, so operators always see what was wrong and which rule was broken:
 * <ul>
 *   <li>invalid argument: {@code field '<field>': <rule>}, e.g. {@code field 'vcpus': must be at least 1 (got 0)}</li>
 *   <li>not found / already exists: {@code <kind> '<id>' not found}, {@code <kind> '<id>' already exists}</li>
 *   <li>not leader: {@code not the leader; leader is <hint>} or {@code not the leader; leader unknown}</li>
 *   <li>others: a free sentence, formatted with {@link String#format} when arguments are given.</li>
 * </ul>
 */
public final class FabricException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String field;
    private final String leaderHint;

    private FabricException(ErrorCode code, String message, String field, String leaderHint, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.field = field;
        this.leaderHint = leaderHint;
    }

    /** Rebuilds an exception from its parts, e.g. after it crossed a gRPC hop; prefer the named factories. */
    public static FabricException of(ErrorCode code, String message) {
        return new FabricException(code, message, null, null, null);
    }

    /**
     * {@code rule} is a format template applied to {@code args}: {@code ("vcpus", "must be at least %d (got %d)", 1, 0)}.
     * String arguments are taken to be the caller's input and quoted as an {@link Excerpt}, so no message repeats
     * more than 64 characters of it.
     */
    public static FabricException invalidArgument(String field, String rule, Object... args) {
        return new FabricException(ErrorCode.INVALID_ARGUMENT, "field '" + field + "': " + format(rule, excerpts(args)),
                field, null, null);
    }

    /** {@code id} is quoted as an {@link Excerpt}: it is whatever the caller asked for. */
    public static FabricException notFound(String kind, String id) {
        return new FabricException(ErrorCode.NOT_FOUND, kind + " '" + Excerpt.of(id) + "' not found", null, null,
                null);
    }

    public static FabricException alreadyExists(String kind, String id) {
        return new FabricException(ErrorCode.ALREADY_EXISTS, kind + " '" + Excerpt.of(id) + "' already exists", null,
                null, null);
    }

    public static FabricException failedPrecondition(String msg, Object... args) {
        return new FabricException(ErrorCode.FAILED_PRECONDITION, format(msg, args), null, null, null);
    }

    public static FabricException resourceExhausted(String msg, Object... args) {
        return new FabricException(ErrorCode.RESOURCE_EXHAUSTED, format(msg, args), null, null, null);
    }

    public static FabricException permissionDenied(String msg, Object... args) {
        return new FabricException(ErrorCode.PERMISSION_DENIED, format(msg, args), null, null, null);
    }

    public static FabricException unauthenticated(String msg, Object... args) {
        return new FabricException(ErrorCode.UNAUTHENTICATED, format(msg, args), null, null, null);
    }

    /** {@code leaderHint} names the current leader (e.g. its replica id or host:port), or is null/blank if unknown. */
    public static FabricException notLeader(String leaderHint) {
        String hint = leaderHint == null || leaderHint.isBlank() ? null : leaderHint;
        String msg = hint == null ? "not the leader; leader unknown" : "not the leader; leader is " + hint;
        return new FabricException(ErrorCode.NOT_LEADER, msg, null, hint, null);
    }

    /** This replica's term {@code term} ended (deposed, or its lease lost): it is not the leader, and knows no other. */
    public static FabricException termEnded(long term) {
        return new FabricException(ErrorCode.NOT_LEADER, "not the leader: term " + term + " is over; leader unknown",
                null, null, null);
    }

    public static FabricException unavailable(String msg, Object... args) {
        return new FabricException(ErrorCode.UNAVAILABLE, format(msg, args), null, null, null);
    }

    public static FabricException unavailable(Throwable cause, String msg, Object... args) {
        return new FabricException(ErrorCode.UNAVAILABLE, format(msg, args), null, null, cause);
    }

    public static FabricException internal(String msg, Object... args) {
        return new FabricException(ErrorCode.INTERNAL, format(msg, args), null, null, null);
    }

    public static FabricException internal(Throwable cause, String msg, Object... args) {
        return new FabricException(ErrorCode.INTERNAL, format(msg, args), null, null, cause);
    }

    public ErrorCode code() {
        return code;
    }

    /** The offending field, for INVALID_ARGUMENT raised in this process. */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }

    /** The leader named by a NOT_LEADER error, if known. */
    public Optional<String> leaderHint() {
        return Optional.ofNullable(leaderHint);
    }

    static FabricException notLeaderFromRemote(String message, String leaderHint) {
        return new FabricException(ErrorCode.NOT_LEADER, message, null, leaderHint, null);
    }

    private static Object[] excerpts(Object[] args) {
        if (args == null) {
            return null;
        }
        Object[] quoted = args.clone();
        for (int i = 0; i < quoted.length; i++) {
            if (quoted[i] instanceof CharSequence text) {
                quoted[i] = Excerpt.of(text);
            }
        }
        return quoted;
    }

    // No args: the template is used verbatim, so a literal '%' in a message cannot break it.
    private static String format(String template, Object... args) {
        if (args == null || args.length == 0) {
            return template;
        }
        return String.format(Locale.ROOT, template, args);
    }
}
