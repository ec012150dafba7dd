package io.hvfabric.scheduler.placement.runtime;

import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.api.PlacementPolicy;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.ScorePlugin;
import java.util.Collection;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * Chooses exactly the host {@link PlacementPipeline#place} would choose, without scoring every host: the caller
 * keeps its hosts ordered by {@link #key} (CPU plus memory utilization before the request, a number that does not
 * depend on the request), least used first for spread and most used first for pack, and the search stops at the first
 * host whose best possible total is below the best total found. The bound holds for every host that passes the
 * filters: the policy's score is bounded through the utilization the host would have after the request (its key
 * plus the demand over the largest, for pack the smallest, effective capacity in the cluster), balance by its
 * maximum. Hosts whose candidate differs from the ordered one (pending writes, anti-affinity groups) are passed
 * apart and always looked at.
 *
 * <p>Only for the standard pipeline ({@link PlacementPipeline#fromConfig}): its scorers are the ones bounded here.
 * A refusal is not explained here: the caller runs the full pipeline for that (every host's reason).
 */
public final class BestHostSearch {
    /** Slack over floating-point rounding in the bounds; far below one score point, far above an ulp. */
    private static final double SLACK = 1e-9;

    /** The smallest and largest effective CPU and memory capacity among the hosts (those offering any). */
    public record CapacityRange(long minCpu, long maxCpu, long minMemory, long maxMemory) {}

    private final PlacementPipeline pipeline;
    private final OvercommitRatios ratios;
    private final boolean spread;
    private final long policyWeight;
    private final long balanceWeight;

    private BestHostSearch(PlacementPipeline pipeline, PlacementConfig config) {
        this.pipeline = pipeline;
        this.ratios = config.ratios();
        this.spread = config.policy() == PlacementPolicy.SPREAD;
        this.policyWeight = spread ? config.weights().spread() : config.weights().pack();
        this.balanceWeight = config.weights().balance();
    }

    /** The search for {@code pipeline}; empty when it is not a standard pipeline (then scan every host). */
    public static Optional<BestHostSearch> of(PlacementPipeline pipeline) {
        return pipeline.config().map(c -> new BestHostSearch(pipeline, c));
    }

    public OvercommitRatios ratios() {
        return ratios;
    }

    /** Whether hosts are to be visited least used first (spread) or most used first (pack). */
    public boolean leastUsedFirst() {
        return spread;
    }

    /** The order key: CPU plus memory utilization of {@code host} as it is, computed as the scorers compute it. */
    public double key(HostCandidate host) {
        return fraction(host.allocated().vcpus(), host.capacity().vcpus(), ratios.cpu())
                + fraction(host.allocated().memoryMib(), host.capacity().memoryMib(), ratios.memory());
    }

    /** The range of effective capacities over {@code hosts}, for the bounds. */
    public CapacityRange range(Iterable<HostCandidate> hosts) {
        long minCpu = Long.MAX_VALUE;
        long maxCpu = 0;
        long minMemory = Long.MAX_VALUE;
        long maxMemory = 0;
        for (HostCandidate h : hosts) {
            long cpu = OvercommitRatios.effectiveCapacity(h.capacity().vcpus(), ratios.cpu());
            long memory = OvercommitRatios.effectiveCapacity(h.capacity().memoryMib(), ratios.memory());
            if (cpu > 0) {
                minCpu = Math.min(minCpu, cpu);
                maxCpu = Math.max(maxCpu, cpu);
            }
            if (memory > 0) {
                minMemory = Math.min(minMemory, memory);
                maxMemory = Math.max(maxMemory, memory);
            }
        }
        return new CapacityRange(minCpu, maxCpu, minMemory, maxMemory);
    }

    /**
     * The host the full pipeline would choose among {@code apart} and the hosts of {@code ordered} not named in
     * {@code skip}, or empty if none is feasible. {@code ordered} must follow {@link #key} in the direction of
     * {@link #leastUsedFirst}; {@code range} must cover every host.
     */
    public Optional<String> choose(PlacementRequest request, Collection<HostCandidate> apart,
                                   Iterator<HostCandidate> ordered, Set<String> skip, CapacityRange range) {
        String bestId = null;
        long best = -1;
        for (HostCandidate host : apart) {
            long total = total(request, host);
            if (total >= 0 && (total > best || (total == best && host.id().compareTo(bestId) < 0))) {
                best = total;
                bestId = host.id();
            }
        }
        double shift = spread
                ? share(request.demand().vcpus(), range.maxCpu()) + share(request.demand().memoryMib(), range.maxMemory())
                : share(request.demand().vcpus(), range.minCpu()) + share(request.demand().memoryMib(), range.minMemory());
        while (ordered.hasNext()) {
            HostCandidate host = ordered.next();
            if (skip.contains(host.id())) {
                continue;
            }
            if (best >= 0 && bound(key(host), shift) < best) {
                break; // every later host's bound is lower still
            }
            long total = total(request, host);
            if (total >= 0 && (total > best || (total == best && host.id().compareTo(bestId) < 0))) {
                best = total;
                bestId = host.id();
            }
        }
        return Optional.ofNullable(bestId);
    }

    /** The filtered host's weighted total, or -1 if it is rejected (or a scorer failed). */
    private long total(PlacementRequest request, HostCandidate host) {
        return pipeline.filter(request, host).isSuccess() ? pipeline.score(request, host) : -1;
    }

    /**
     * The highest total a feasible host with order key {@code key} can score. A feasible host takes the demand
     * within its effective capacity, so its utilization after it is its key plus demand ÷ its capacity, which lies
     * between demand ÷ the largest and demand ÷ the smallest capacity.
     */
    private long bound(double key, double shift) {
        double used = spread ? Math.max(0.0, (key + shift - SLACK) / 2) : Math.min(1.0, (key + shift + SLACK) / 2);
        long policy = toScore(spread ? 1.0 - used : used);
        return policyWeight * policy + balanceWeight * ScorePlugin.MAX_SCORE;
    }

    /** demand ÷ capacity; for a demand of 0 nothing changes, and without any capacity the fraction is capped. */
    private static double share(long demand, long capacity) {
        if (demand == 0) {
            return 0.0;
        }
        if (capacity <= 0 || capacity == Long.MAX_VALUE) {
            return 0.0; // no host offers this dimension: none is feasible, the bound needs no shift
        }
        return (double) demand / capacity;
    }

    /** As the scorers compute a utilization: in [0, 1], a host offering nothing of the dimension counts as full. */
    private static double fraction(long used, long capacity, double ratio) {
        long effective = OvercommitRatios.effectiveCapacity(capacity, ratio);
        if (effective <= 0) {
            return 1.0;
        }
        return Math.min(1.0, Math.max(0.0, (double) used / effective));
    }

    private static long toScore(double fraction) {
        return (long) (fraction * ScorePlugin.MAX_SCORE + 0.5);
    }
}
