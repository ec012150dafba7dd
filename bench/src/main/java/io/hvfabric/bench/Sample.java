package io.hvfabric.bench;

import java.util.Arrays;
import java.util.List;

/** Summary of a set of durations in milliseconds: nearest-rank percentiles, min, max. */
public record Sample(int count, double min, double median, double p95, double p99, double max) {

    public static Sample of(List<Double> millis) {
        if (millis.isEmpty()) {
            throw new IllegalArgumentException("millis: needs at least one measurement");
        }
        double[] sorted = millis.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        return new Sample(sorted.length, sorted[0], rank(sorted, 50), rank(sorted, 95), rank(sorted, 99),
                sorted[sorted.length - 1]);
    }

    /** Nearest-rank percentile: the smallest value with at least p % of the sample at or below it. */
    static double rank(double[] sorted, double p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
