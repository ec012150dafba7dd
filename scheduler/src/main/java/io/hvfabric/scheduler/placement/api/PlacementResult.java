package io.hvfabric.scheduler.placement.api;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The outcome of one placement decision: the chosen host if any, every host's verdict and the scores of the feasible
 * ones, and an explanation for operators.
 *
 * <p>Holds plain arrays filled by the runtime and builds maps only when asked, because most results are only ever
 * asked for {@link #chosenHost()}.
 */
public final class PlacementResult {

    private final String vsiName;
    private final String[] hostIds;
    private final Status[] statuses;
    private final long[] scores;
    private final int chosenIndex;

    private PlacementResult(String vsiName, String[] hostIds, Status[] statuses, long[] scores, int chosenIndex) {
        this.vsiName = vsiName;
        this.hostIds = hostIds;
        this.statuses = statuses;
        this.scores = scores;
        this.chosenIndex = chosenIndex;
    }

    /**
     * For runtimes: the arrays are indexed by host (in the order the hosts were given) and owned by the result from now
     * on. {@code scores[i]} is meaningful only where {@code statuses[i]} is a success; {@code chosenIndex} is -1 when
     * no host was chosen.
     */
    public static PlacementResult of(
            String vsiName, String[] hostIds, Status[] statuses, long[] scores, int chosenIndex) {
        if (hostIds.length != statuses.length || hostIds.length != scores.length) {
            throw new IllegalArgumentException("hostIds, statuses and scores must have the same length");
        }
        if (chosenIndex < -1 || chosenIndex >= hostIds.length) {
            throw new IllegalArgumentException("chosenIndex must be -1 or a host index, got " + chosenIndex);
        }
        if (chosenIndex >= 0 && !statuses[chosenIndex].isSuccess()) {
            throw new IllegalArgumentException("the chosen host '" + hostIds[chosenIndex] + "' was rejected");
        }
        return new PlacementResult(vsiName, hostIds, statuses, scores, chosenIndex);
    }

    public String vsiName() {
        return vsiName;
    }

    public Optional<String> chosenHost() {
        return chosenIndex < 0 ? Optional.empty() : Optional.of(hostIds[chosenIndex]);
    }

    public OptionalLong chosenScore() {
        return chosenIndex < 0 ? OptionalLong.empty() : OptionalLong.of(scores[chosenIndex]);
    }

    /**
     * SUCCESS when a host was chosen. Otherwise ERROR if a plugin failed on some host (the answer may be wrong),
     * UNSCHEDULABLE if some host could take the VSI once its load changes, else UNSCHEDULABLE_AND_UNRESOLVABLE.
     */
    public Status.Code code() {
        if (chosenIndex >= 0) {
            return Status.Code.SUCCESS;
        }
        boolean resolvable = false;
        for (Status s : statuses) {
            if (s.code() == Status.Code.ERROR) {
                return Status.Code.ERROR;
            }
            resolvable |= s.code() == Status.Code.UNSCHEDULABLE;
        }
        return resolvable ? Status.Code.UNSCHEDULABLE : Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE;
    }

    /** Every host's verdict, in the order the hosts were given; SUCCESS for feasible hosts. */
    public Map<String, Status> statuses() {
        Map<String, Status> map = new LinkedHashMap<>();
        for (int i = 0; i < hostIds.length; i++) {
            map.put(hostIds[i], statuses[i]);
        }
        return Collections.unmodifiableMap(map);
    }

    /** Why each rejected host was rejected. */
    public Map<String, Status> rejections() {
        Map<String, Status> map = new LinkedHashMap<>();
        for (int i = 0; i < hostIds.length; i++) {
            if (!statuses[i].isSuccess()) {
                map.put(hostIds[i], statuses[i]);
            }
        }
        return Collections.unmodifiableMap(map);
    }

    /** Weighted total scores of the feasible hosts. */
    public Map<String, Long> scores() {
        Map<String, Long> map = new LinkedHashMap<>();
        for (int i = 0; i < hostIds.length; i++) {
            if (statuses[i].isSuccess()) {
                map.put(hostIds[i], scores[i]);
            }
        }
        return Collections.unmodifiableMap(map);
    }

    public int feasibleCount() {
        int n = 0;
        for (Status s : statuses) {
            if (s.isSuccess()) {
                n++;
            }
        }
        return n;
    }

    /**
     * When no host was chosen: the dimension that rejected the most hosts that were otherwise eligible (a capacity
     * rejection is only recorded for hosts that passed the non-capacity filters ordered before it). Ties go to the
     * dimension declared first in {@link Dimension}. Empty when a host was chosen or no host was short on capacity.
     */
    public Optional<Dimension> bindingDimension() {
        if (chosenIndex >= 0) {
            return Optional.empty();
        }
        Map<Dimension, Integer> counts = new EnumMap<>(Dimension.class);
        for (Status s : statuses) {
            for (Shortfall shortfall : s.shortfalls()) {
                counts.merge(shortfall.dimension(), 1, Integer::sum);
            }
        }
        Dimension best = null;
        for (Map.Entry<Dimension, Integer> e : counts.entrySet()) {
            if (best == null || e.getValue() > counts.get(best)) {
                best = e.getKey();
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * One line for operators, e.g. {@code no host fits vsi 'web-9': memory is the binding dimension (3 hosts short on
     * memory, 1 host cordoned)}.
     */
    public String explain() {
        if (chosenIndex >= 0) {
            return "vsi '" + vsiName + "' placed on host '" + hostIds[chosenIndex] + "' (score " + scores[chosenIndex]
                    + ", " + feasibleCount() + " of " + hostIds.length + " hosts feasible)";
        }
        if (hostIds.length == 0) {
            return "no host fits vsi '" + vsiName + "': no hosts to choose from";
        }
        StringBuilder sb = new StringBuilder("no host fits vsi '").append(vsiName).append('\'');
        bindingDimension().ifPresent(d -> sb.append(": ").append(d.displayName()).append(" is the binding dimension"));
        sb.append(" (").append(rejectionSummary()).append(')');
        return sb.toString();
    }

    /** "3 hosts short on memory, 1 host cordoned": counts per label, most frequent first. */
    private String rejectionSummary() {
        Map<String, Integer> counts = new TreeMap<>();
        for (Status s : statuses) {
            for (String label : s.labels()) {
                counts.merge(label, 1, Integer::sum);
            }
        }
        StringBuilder sb = new StringBuilder();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> {
                    if (sb.length() > 0) {
                        sb.append(", ");
                    }
                    sb.append(e.getValue()).append(e.getValue() == 1 ? " host " : " hosts ").append(e.getKey());
                });
        return sb.toString();
    }

    @Override
    public String toString() {
        return explain();
    }
}
