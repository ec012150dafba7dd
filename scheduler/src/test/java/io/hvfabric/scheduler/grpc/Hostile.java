package io.hvfabric.scheduler.grpc;

import com.google.protobuf.Timestamp;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * The field values of fuzzed requests: mostly what a client means to send, sometimes what a hostile or broken one
 * does (any UTF-16 including lone surrogates, C0 and C1 controls, 10,000 characters, edge and absurd numbers,
 * invalid timestamps, unknown enum numbers), so that accepted and refused requests are both frequent.
 */
final class Hostile {
    /** A number of an enum value no .proto defines. */
    static final int UNKNOWN_ENUM = 99;

    private Hostile() {}

    /** Four times in five {@code plausible}, else {@code hostile}. */
    static <T> Arbitrary<T> mostly(Arbitrary<T> plausible, Arbitrary<T> hostile) {
        return Arbitraries.frequencyOf(Tuple.of(4, plausible), Tuple.of(1, hostile));
    }

    static Arbitrary<String> text() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(40),
                Arbitraries.strings().withChars("abcz09-_.A /").ofMinLength(1).ofMaxLength(70),
                label().map(l -> l + "\u009b31m"),
                label().map(l -> "\u0000" + l + "\n"),
                Arbitraries.strings().withCharRange('a', 'z').ofLength(10_000),
                Arbitraries.of("", " ", "..", "../../etc/shadow", "\ud800", "h1 ", "H1", "-h1"));
    }

    /** A DNS label, like every name the fabric accepts. */
    static Arbitrary<String> label() {
        return Arbitraries.strings().withChars("abcxyz0189").ofMinLength(1).ofMaxLength(12);
    }

    /** Mostly a name of a seeded object ({@code existing}), else one that does not exist, or hostile text. */
    static Arbitrary<String> nameOf(List<String> existing) {
        return Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(existing)), Tuple.of(2, label().map(l -> "no-" + l)),
                Tuple.of(2, text()));
    }

    /** Empty ("not given") half the time, else as {@link #nameOf}. */
    static Arbitrary<String> optionalNameOf(List<String> existing) {
        return Arbitraries.frequencyOf(Tuple.of(5, Arbitraries.just("")), Tuple.of(5, nameOf(existing)));
    }

    /** At most {@code max} printable ASCII characters, sometimes one more, or hostile. */
    static Arbitrary<String> printable(int max) {
        return mostly(Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(Math.min(max, 40)),
                Arbitraries.oneOf(Arbitraries.strings().withCharRange(' ', '~').ofLength(max + 1), text()));
    }

    static Arbitrary<Long> int64(long min, long max) {
        return mostly(Arbitraries.longs().between(min, max), Arbitraries.oneOf(Arbitraries.of(min - 1, max + 1, -1L,
                1L << 62, Long.MAX_VALUE, Long.MIN_VALUE), Arbitraries.longs()));
    }

    static Arbitrary<Integer> int32(int min, int max) {
        return mostly(Arbitraries.integers().between(min, max), Arbitraries.oneOf(Arbitraries.of(min - 1, max + 1, -1,
                Integer.MAX_VALUE, Integer.MIN_VALUE), Arbitraries.integers()));
    }

    static Arbitrary<Double> real(double min, double max) {
        return mostly(Arbitraries.doubles().between(min, max), Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, -1.0, Double.MAX_VALUE, -0.0));
    }

    /** An enum's number: one it defines ({@code 0..count-1}), or one it does not. */
    static Arbitrary<Integer> enumNumber(int count) {
        return mostly(Arbitraries.integers().between(0, count - 1), Arbitraries.of(UNKNOWN_ENUM, -1));
    }

    /** A timestamp of this century, or one protobuf calls invalid (out of 0001..9999, nanos out of 0..999999999). */
    static Arbitrary<Timestamp> timestamp() {
        Arbitrary<Timestamp> valid = Combinators.combine(Arbitraries.longs().between(0, 4_102_444_800L),
                Arbitraries.integers().between(0, 999_999_999)).as(Hostile::timestamp);
        Arbitrary<Timestamp> invalid = Arbitraries.of(timestamp(Long.MAX_VALUE, 0), timestamp(Long.MIN_VALUE, 0),
                timestamp(253_402_300_800L, 0), timestamp(-62_135_596_801L, 0), timestamp(0, -1),
                timestamp(0, 1_000_000_000));
        return mostly(valid, invalid);
    }

    private static Timestamp timestamp(long seconds, int nanos) {
        return Timestamp.newBuilder().setSeconds(seconds).setNanos(nanos).build();
    }
}
