package io.hvfabric.scheduler.placement.runtime;

import io.hvfabric.scheduler.placement.api.FilterPlugin;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.api.PlacementContext;
import io.hvfabric.scheduler.placement.api.PlacementPolicy;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.PlacementResult;
import io.hvfabric.scheduler.placement.api.RankedHost;
import io.hvfabric.scheduler.placement.api.ScorePlugin;
import io.hvfabric.scheduler.placement.api.Status;
import io.hvfabric.scheduler.placement.plugins.affinity.AntiAffinityFilter;
import io.hvfabric.scheduler.placement.plugins.compat.AcceleratorCompatibility;
import io.hvfabric.scheduler.placement.plugins.fit.CpuFit;
import io.hvfabric.scheduler.placement.plugins.fit.DiskFit;
import io.hvfabric.scheduler.placement.plugins.fit.MemoryFit;
import io.hvfabric.scheduler.placement.plugins.fit.NicBandwidthFit;
import io.hvfabric.scheduler.placement.plugins.network.OverlayNetworkFit;
import io.hvfabric.scheduler.placement.plugins.pinning.ExcludedHostFilter;
import io.hvfabric.scheduler.placement.plugins.pinning.RequiredHostFilter;
import io.hvfabric.scheduler.placement.plugins.score.BalanceScore;
import io.hvfabric.scheduler.placement.plugins.score.PackScore;
import io.hvfabric.scheduler.placement.plugins.score.SpreadScore;
import io.hvfabric.scheduler.placement.plugins.state.HostStateFilter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Runs filter plugins, then weighted score plugins, over a snapshot of hosts, and picks the best host; equal totals go
 * to the lexicographically lowest host id, so the same input always gives the same answer whatever the host order.
 *
 * <p>Immutable and thread-safe. Each host is filtered until the first rejection (filters are ordered cheap and
 * unresolvable first, capacity last). Only when no host fits does a second pass run the remaining filters on hosts
 * rejected for capacity, so the result lists every dimension each is short in. Host ids must be unique.
 */
public final class PlacementPipeline {

    private final FilterPlugin[] filters;
    private final ScorePlugin[] scorers;
    private final long[] weights;
    private final PlacementContext context;
    /** The configuration this pipeline was built from; null for a hand-assembled one. */
    private final PlacementConfig config;

    public PlacementPipeline(List<FilterPlugin> filters, List<WeightedScorer> scorers, OvercommitRatios ratios) {
        this(filters, scorers, ratios, null);
    }

    private PlacementPipeline(List<FilterPlugin> filters, List<WeightedScorer> scorers, OvercommitRatios ratios,
                              PlacementConfig config) {
        if (filters == null || scorers == null) {
            throw new IllegalArgumentException("PlacementPipeline needs filter and scorer lists (may be empty)");
        }
        this.filters = filters.toArray(FilterPlugin[]::new);
        this.scorers = scorers.stream().map(WeightedScorer::plugin).toArray(ScorePlugin[]::new);
        this.weights = scorers.stream().mapToLong(WeightedScorer::weight).toArray();
        this.context = new PlacementContext(ratios);
        this.config = config;
    }

    /** The standard pipeline: every built-in filter, and the policy's scorer plus balance, weighted as configured. */
    public static PlacementPipeline fromConfig(PlacementConfig config) {
        List<FilterPlugin> filters = List.of(
                new HostStateFilter(),
                new RequiredHostFilter(),
                new ExcludedHostFilter(),
                new AcceleratorCompatibility(),
                new OverlayNetworkFit(),
                new AntiAffinityFilter(),
                new CpuFit(),
                new MemoryFit(),
                new DiskFit(),
                new NicBandwidthFit());
        List<WeightedScorer> scorers = new ArrayList<>();
        if (config.policy() == PlacementPolicy.SPREAD) {
            scorers.add(new WeightedScorer(new SpreadScore(), config.weights().spread()));
        } else {
            scorers.add(new WeightedScorer(new PackScore(), config.weights().pack()));
        }
        if (config.weights().balance() > 0) {
            scorers.add(new WeightedScorer(new BalanceScore(), config.weights().balance()));
        }
        return new PlacementPipeline(filters, scorers, config.ratios(), config);
    }

    /** The standard pipeline's configuration, which {@link BestHostSearch} needs to bound its scores. */
    java.util.Optional<PlacementConfig> config() {
        return java.util.Optional.ofNullable(config);
    }

    public List<String> filterNames() {
        return Arrays.stream(filters).map(FilterPlugin::name).toList();
    }

    public List<String> scorerNames() {
        return Arrays.stream(scorers).map(ScorePlugin::name).toList();
    }

    /** Chooses a host for {@code request} among {@code hosts}, or explains why none fits. */
    public PlacementResult place(PlacementRequest request, Collection<HostCandidate> hosts) {
        int n = hosts.size();
        String[] ids = new String[n];
        Status[] statuses = new Status[n];
        long[] totals = new long[n];
        int best = -1;
        int i = 0;
        for (HostCandidate host : hosts) {
            ids[i] = host.id();
            Status status = filter(request, host);
            if (status.isSuccess()) {
                long total = score(request, host);
                if (total < 0) {
                    status = scoreError(request, host);
                } else {
                    totals[i] = total;
                    if (best < 0 || total > totals[best] || (total == totals[best] && ids[i].compareTo(ids[best]) < 0)) {
                        best = i;
                    }
                }
            }
            statuses[i] = status;
            i++;
        }
        if (best < 0) {
            detailCapacityRejections(request, hosts, statuses);
        }
        return PlacementResult.of(request.vsiName(), ids, statuses, totals, best);
    }

    /**
     * Every feasible host, best first (ties by host id), with its total score: the candidates for migration targets,
     * drain destinations and rebalancing moves.
     */
    public List<RankedHost> rank(PlacementRequest request, Collection<HostCandidate> hosts) {
        List<RankedHost> ranked = new ArrayList<>();
        for (HostCandidate host : hosts) {
            if (filter(request, host).isSuccess()) {
                long total = score(request, host);
                if (total >= 0) {
                    ranked.add(new RankedHost(host, total));
                }
            }
        }
        ranked.sort(Comparator.comparingLong(RankedHost::score).reversed().thenComparing(RankedHost::hostId));
        return ranked;
    }

    /** The first rejection, or success. A failing plugin rejects the host with ERROR rather than failing the call. */
    Status filter(PlacementRequest request, HostCandidate host) {
        for (FilterPlugin f : filters) {
            Status status = runFilter(f, request, host);
            if (!status.isSuccess()) {
                return status;
            }
        }
        return Status.success();
    }

    private Status runFilter(FilterPlugin f, PlacementRequest request, HostCandidate host) {
        Status status;
        try {
            status = f.filter(request, host, context);
        } catch (RuntimeException e) {
            return Status.error(f.name(), "filter failed on host '" + host.id() + "': " + e);
        }
        return status != null ? status : Status.error(f.name(), "filter returned no status");
    }

    /** Weighted total, or -1 when a scorer failed or left the 0..MAX_SCORE range. */
    long score(PlacementRequest request, HostCandidate host) {
        long total = 0;
        for (int s = 0; s < scorers.length; s++) {
            long score;
            try {
                score = scorers[s].score(request, host, context);
            } catch (RuntimeException e) {
                return -1;
            }
            if (score < ScorePlugin.MIN_SCORE || score > ScorePlugin.MAX_SCORE) {
                return -1;
            }
            total += weights[s] * score;
        }
        return total;
    }

    /** Re-runs scorers one by one to say which one failed; only on the rare error path. */
    private Status scoreError(PlacementRequest request, HostCandidate host) {
        for (ScorePlugin scorer : scorers) {
            try {
                long score = scorer.score(request, host, context);
                if (score < ScorePlugin.MIN_SCORE || score > ScorePlugin.MAX_SCORE) {
                    return Status.error(scorer.name(), "score " + score + " for host '" + host.id()
                            + "' is outside " + ScorePlugin.MIN_SCORE + ".." + ScorePlugin.MAX_SCORE);
                }
            } catch (RuntimeException e) {
                return Status.error(scorer.name(), "scorer failed on host '" + host.id() + "': " + e);
            }
        }
        return Status.error("PlacementPipeline", "a scorer failed intermittently on host '" + host.id() + "'");
    }

    /**
     * For hosts rejected for capacity, runs every filter so the status lists all short dimensions. A host that also
     * fails a non-capacity filter reports that instead: it was not otherwise eligible, so it must not count towards
     * the binding dimension.
     */
    private void detailCapacityRejections(PlacementRequest request, Collection<HostCandidate> hosts, Status[] statuses) {
        int i = 0;
        for (HostCandidate host : hosts) {
            Status first = statuses[i];
            if (!first.shortfalls().isEmpty()) {
                Status merged = null;
                for (FilterPlugin f : filters) {
                    Status s = runFilter(f, request, host);
                    if (s.isSuccess()) {
                        continue;
                    }
                    if (s.shortfalls().isEmpty()) {
                        merged = s;
                        break;
                    }
                    merged = merged == null ? s : merged.withShortfall(s.shortfalls().get(0));
                }
                if (merged != null) {
                    statuses[i] = merged;
                }
            }
            i++;
        }
    }
}
