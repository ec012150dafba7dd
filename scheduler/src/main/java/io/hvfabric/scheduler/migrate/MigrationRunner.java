package io.hvfabric.scheduler.migrate;

import io.grpc.Status;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.migration.MigrationPhases;
import io.hvfabric.migration.MigrationStateMachine;
import io.hvfabric.proto.v1.AwaitGuestResponse;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.MigrationControlRequest;
import io.hvfabric.proto.v1.MigrationProgress;
import io.hvfabric.proto.v1.NodeServiceGrpc;
import io.hvfabric.proto.v1.ReceiveMigrationRequest;
import io.hvfabric.proto.v1.SendMigrationRequest;
import io.hvfabric.proto.v1.TargetEvent;
import io.hvfabric.proto.v1.VsiAssignment;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.network.VsiNetworks;
import io.hvfabric.scheduler.store.Times;
import io.hvfabric.scheduler.view.ClusterView;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one migration for the leader of one term: target first (QEMU -incoming), then the source's pre-copy with
 * progress recorded in etcd, then either the switchover or an end without moving (target copy destroyed, source guest
 * resumed if the migration had paused it). The switchover follows libvirt's order: the target must say it loaded the
 * guest, then that it runs it after the resume; only then does ownership move in etcd, and only that lets the source's
 * paused copy go. A target that fails at any step is rolled back from, to the source's copy. Losing leadership stops
 * the runner and cancels its calls; the next leader recovers the record.
 */
final class MigrationRunner implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationRunner.class);
    private static final Duration TARGET_READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration PROGRESS_WRITE_INTERVAL = Duration.ofSeconds(1);
    private static final Duration CONTROL_DEADLINE = Duration.ofSeconds(10);

    private final String id;
    private final Term term;
    private final ClusterView view;
    private final MigrationOperations ops;
    private final AgentChannels agents;
    private final MigrationMetrics metrics;
    private final MigrationTransport transport;
    private final Predicate<Term> leads;
    private final Executor background;
    private final SwitchoverLimits limits;
    private final TargetResume targetResume;

    /** {@code background} runs what must not hold up the migration itself (waiting for the guest's answer). */
    MigrationRunner(String id, Term term, ClusterView view, MigrationOperations ops, AgentChannels agents,
                    MigrationMetrics metrics, MigrationTransport transport, Predicate<Term> leads,
                    Executor background, SwitchoverLimits limits) {
        this.id = id;
        this.term = term;
        this.view = view;
        this.ops = ops;
        this.agents = agents;
        this.metrics = metrics;
        this.transport = transport;
        this.leads = leads;
        this.background = background;
        this.limits = limits;
        this.targetResume = new TargetResume(agents, term, leads, limits.resumeConfirm(), CONTROL_DEADLINE);
    }

    @Override
    public void run() {
        Migration m = view.migration(id).map(v -> v.value()).orElse(null);
        if (m == null || MigrationPhases.isTerminal(m.getPhase())) {
            return;
        }
        InFlight series = metrics.track(m);
        try {
            drive(m, series);
        } catch (FabricException e) {
            if (e.code() == ErrorCode.NOT_LEADER) {
                LOG.warn("migration {}: leadership lost; the next leader recovers it", id);
            } else {
                failSafely(e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("migration {} failed", id, e);
            failSafely(e.toString());
        } finally {
            series.close();
        }
    }

    private void drive(Migration accepted, InFlight series) throws InterruptedException {
        if (accepted.getCancelRequested()) {
            end(Migration.Phase.CANCELLED, "cancelled before it started", null);
            return;
        }
        // The record says how the stream travels (migration show: tls), as the requests below carry it.
        Migration m = ops.update(term, id, x -> MigrationStateMachine.transition(x.toBuilder().setTls(transport.tls())
                .build(), Migration.Phase.PREPARING_TARGET, "starting QEMU -incoming on " + x.getTo(), Instant.now()));
        series.phase(m.getPhase());
        VsiRecord vsi = view.vsi(m.getName()).orElseThrow().value();
        int channels = transport.channelsFor(hostCpus(m.getFrom()), hostCpus(m.getTo()));
        VsiAssignment assignment = VsiAssignment.newBuilder()
                .setSpec(vsi.getSpec())
                .setDesired("MIGRATING_IN")
                .setImage(vsi.getImage())
                .build();
        AgentStreams.Session<ReceiveMigrationRequest, TargetEvent> target = AgentStreams.receive(
                agents.forHost(m.getTo()), ReceiveMigrationRequest.newBuilder()
                        .setMigrationId(id)
                        .setTerm(term.revision())
                        .setAssignment(assignment.toByteString())
                        .setTls(transport.tls())
                        .setSourceHost(hostIp(m.getFrom()))
                        .setSourceHostId(m.getFrom())
                        .setObjective(m.getObjective())
                        .setMemoryMib(m.getMemoryMib())
                        .setMultifdChannels(channels)
                        .setTunnel(transport.tls() && carriesTunnel(m.getFrom()) && carriesTunnel(m.getTo()))
                        .addAllNetworks(VsiNetworks.forTarget(view, vsi.getSpec(), m.getTo()))
                        .build());
        String uri = awaitTargetReady(target);
        if (uri == null) {
            return; // ended inside
        }
        series.phase(ops.update(term, id, x -> MigrationStateMachine.transition(x, Migration.Phase.PRECOPY,
                "target listening at " + uri, Instant.now())).getPhase());
        AgentStreams.Session<SendMigrationRequest, MigrationProgress> source = AgentStreams.send(
                agents.forHost(m.getFrom()), SendMigrationRequest.newBuilder()
                        .setMigrationId(id)
                        .setTerm(term.revision())
                        .setName(m.getName())
                        .setUri(uri)
                        .setObjective(m.getObjective())
                        .setTls(transport.tls())
                        .setTargetHost(hostIp(m.getTo()))
                        .setMemoryMib(m.getMemoryMib())
                        .setMultifdChannels(channels)
                        .build());
        precopy(target, source, series);
    }

    private String awaitTargetReady(AgentStreams.Session<ReceiveMigrationRequest, TargetEvent> target)
            throws InterruptedException {
        long deadline = System.nanoTime() + TARGET_READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            TargetEvent event = target.poll(200);
            if (event != null) {
                if (event.getKind() == TargetEvent.Kind.READY) {
                    return event.getUri();
                }
                target.cancel("target failed");
                end(Migration.Phase.FAILED, "target could not start: " + event.getError(), null);
                return null;
            }
            if (target.broken() || target.endedNormally()) {
                end(Migration.Phase.FAILED, "target agent failed while preparing: " + target.errorText(), null);
                return null;
            }
            if (!leads.test(term)) {
                target.cancel("leadership lost");
                throw FabricException.notLeader("term " + term.revision() + " is over");
            }
            if (cancelRequested()) {
                target.cancel("cancelled");
                end(Migration.Phase.CANCELLED, "cancelled while the target was being prepared", null);
                return null;
            }
        }
        target.cancel("timed out");
        end(Migration.Phase.FAILED, "target not ready within " + TARGET_READY_TIMEOUT.toSeconds() + " s", null);
        return null;
    }

    private void precopy(AgentStreams.Session<ReceiveMigrationRequest, TargetEvent> target,
                         AgentStreams.Session<SendMigrationRequest, MigrationProgress> source, InFlight series)
            throws InterruptedException {
        MigrationProgress last = null;
        long lastWrite = System.nanoTime();
        String stopReason = null;
        Migration.Phase stopPhase = null;
        boolean targetDone = false;
        while (true) {
            MigrationProgress sample = source.poll(200);
            if (sample != null) {
                last = sample;
                series.progress(sample);
                if (isFinal(sample.getStatus())) {
                    break;
                }
            } else if (source.broken() || source.endedNormally()) {
                break; // the source agent went away, or ended without a final sample
            }
            if (!leads.test(term)) {
                source.cancel("leadership lost");
                target.cancel("leadership lost");
                throw FabricException.notLeader("term " + term.revision() + " is over");
            }
            if (stopPhase == null && cancelRequested()) {
                stopPhase = Migration.Phase.CANCELLED;
                stopReason = "cancelled by request during pre-copy";
                source.cancel("cancelled");
            }
            // Read before draining: a stream's last events are queued before it ends, so none can slip in between.
            boolean targetEnded = target.broken() || target.endedNormally();
            for (TargetEvent event = target.poll(0); event != null; event = target.poll(0)) {
                if (event.getKind() == TargetEvent.Kind.COMPLETED) {
                    targetDone = true;
                } else if (event.getKind() == TargetEvent.Kind.FAILED && stopPhase == null) {
                    stopPhase = Migration.Phase.ROLLED_BACK;
                    stopReason = "target failed to receive: " + event.getError();
                    source.cancel("target failed");
                }
            }
            // A target stream that ends before the memory arrived means its agent is gone (or gave up).
            if (stopPhase == null && !targetDone && targetEnded) {
                stopPhase = Migration.Phase.ROLLED_BACK;
                stopReason = "target agent on " + hostOf(true) + " was lost during pre-copy: " + target.errorText();
                source.cancel("target lost");
            }
            if (last != null && System.nanoTime() - lastWrite > PROGRESS_WRITE_INTERVAL.toNanos()) {
                recordProgress(last);
                lastWrite = System.nanoTime();
            }
        }
        if (stopPhase == null && last != null && "completed".equals(last.getStatus())) {
            // The guest is paused from QEMU's stop-and-copy until the target resumes it: count all of it.
            long pausedSince = System.nanoTime();
            String notLoaded = targetDone ? null : awaitTargetLoaded(target);
            if (notLoaded != null) {
                target.cancel("target did not load the guest");
                end(Migration.Phase.ROLLED_BACK, notLoaded + ": rolled back, the VSI stays on " + hostOf(false), last);
                return;
            }
            switchover(last, pausedSince, series);
            return;
        }
        target.cancel("migration ended without moving");
        if (stopPhase == null) {
            stopPhase = Migration.Phase.FAILED;
            stopReason = last == null
                    ? "source agent lost: " + source.errorText()
                    : "source reported " + last.getStatus()
                            + (last.getError().isEmpty() ? "" : ": " + last.getError())
                            + (last.getReason().isEmpty() ? "" : " (" + last.getReason() + ")");
        }
        end(stopPhase, stopReason, last);
    }

    /**
     * The source's "completed" says only that everything was sent; the target must say it loaded it (COMPLETED)
     * before it may run it. A FAILED event, a stream that ends without COMPLETED, or silence past the bound means it
     * will not run the guest: returns why, or null once it loaded.
     */
    private String awaitTargetLoaded(AgentStreams.Session<ReceiveMigrationRequest, TargetEvent> target)
            throws InterruptedException {
        long deadline = System.nanoTime() + limits.targetLoad().toNanos();
        while (true) {
            boolean ended = target.broken() || target.endedNormally(); // before polling, as in the pre-copy loop
            TargetEvent event = target.poll(ended ? 0 : 20);
            if (event != null && event.getKind() == TargetEvent.Kind.COMPLETED) {
                return null;
            }
            if (event != null && event.getKind() == TargetEvent.Kind.FAILED) {
                return "target " + hostOf(true) + " failed to load the guest: " + event.getError();
            }
            if (event == null && ended) {
                return "target agent on " + hostOf(true) + " ended its stream before it loaded the guest"
                        + (target.errorText().isEmpty() ? "" : ": " + target.errorText());
            }
            if (System.nanoTime() > deadline) {
                return "target " + hostOf(true) + " did not confirm loading the guest within "
                        + limits.targetLoad().toMillis() + " ms";
            }
            if (!leads.test(term)) {
                target.cancel("leadership lost");
                throw FabricException.notLeader("term " + term.revision() + " is over");
            }
        }
    }

    /**
     * The target loaded the guest. SWITCHOVER is recorded first, so that from here a new leader asks the target rather
     * than rolling back a guest that may already run there; then the target is resumed.
     */
    private void switchover(MigrationProgress last, long pausedSince, InFlight series) {
        long loaded = System.nanoTime();
        Migration m = ops.switchover(term, id, last);
        series.phase(m.getPhase());
        long recorded = System.nanoTime();
        TargetResume.Outcome resume = targetResume.resume(m.getTo(), controlRequest(m));
        long resumed = System.nanoTime();
        ops.awaitView(id);
        if (!resume.confirmed()) {
            rollBackSwitchover(m, resume, last);
            return;
        }
        long switchoverMs = (resumed - pausedSince) / 1_000_000;
        // Where the fabric's share of the downtime went, for operators tuning it (and for the benchmark). The
        // ownership transaction comes after the resume: the guest already runs then.
        String split = String.format("target loaded %d ms, switchover txn %d ms, resume %d ms",
                (loaded - pausedSince) / 1_000_000, (recorded - loaded) / 1_000_000, (resumed - recorded) / 1_000_000);
        Migration done = complete(m, last, switchoverMs, "target " + resume.detail() + " (" + split + ")", resume);
        metrics.downtime.observe(done.getDowntimeMs() / 1000.0);
    }

    /** The target confirmed the guest runs there: ownership moves now, and with it the source's copy goes. */
    private Migration complete(Migration m, MigrationProgress last, long switchoverMs, String note,
                               TargetResume.Outcome resume) {
        CompletableFuture<AwaitGuestResponse> guestAnswer = awaitGuest(m, resume.requestedAt());
        // Read before ownership moves: the peers are the hosts carrying the VSI's networks while both ends still do.
        String cutover = view.vsi(m.getName())
                .flatMap(v -> VsiNetworks.cutoverNote(view, v.value().getSpec(), m.getTo())).orElse("");
        Migration done = ops.complete(term, id, x -> totals(x, last, switchoverMs, note).toBuilder()
                .setNetworkCutover(cutover).build());
        record(done, "completed");
        // Only once COMPLETED is recorded, so neither write overwrites the other's message.
        guestAnswer.thenAcceptAsync(answer -> recordGuestAnswer(answer, resume.requestedAt()), background);
        LOG.info("migration {} of {} {} -> {} completed: {} ms total, {} ms downtime", id, done.getName(),
                done.getFrom(), done.getTo(), done.getTotalMs(), done.getDowntimeMs());
        return done;
    }

    /**
     * The target did not confirm: its copy goes (if it is still the incoming one), the source's paused copy runs
     * again, and the VSI stays where etcd always said it was.
     */
    private void rollBackSwitchover(Migration m, TargetResume.Outcome resume, MigrationProgress last) {
        end(Migration.Phase.ROLLED_BACK, "target " + m.getTo() + " did not confirm that the guest runs there ("
                + resume.detail() + "): rolled back, the VSI stays on " + m.getFrom(), last);
    }

    private Migration totals(Migration m, MigrationProgress last, long switchoverMs, String note) {
        long totalMs = Duration.between(Times.instant(m.getCreatedAt()), Instant.now()).toMillis();
        return m.toBuilder()
                .setProgress(last)
                .setTotalMs(totalMs)
                .setDowntimeMs(last.getDowntimeMs() + switchoverMs)
                .setTransferredBytes(last.getTransferredBytes())
                .setRounds(last.getRound())
                .setRung(last.getRung().isEmpty() ? m.getRung() : last.getRung())
                .setReason(last.getReason().isEmpty() ? m.getReason() : last.getReason())
                .setMessage("QEMU downtime " + last.getDowntimeMs() + " ms + switchover " + switchoverMs + " ms; "
                        + note)
                .build();
    }

    /**
     * Asks the target's agent, in the background, when the guest agent first answers after the resume requested at
     * {@code resumeRequested} (an answer racing the call's reply still counts); only for images with a guest agent.
     * Never fails: no answer is an answer.
     */
    private CompletableFuture<AwaitGuestResponse> awaitGuest(Migration m, Instant resumeRequested) {
        boolean guestAgent = view.vsi(m.getName()).map(v -> v.value().getImage().getGuestAgent()).orElse(false);
        if (!guestAgent || resumeRequested == null) {
            return new CompletableFuture<>(); // never completes: nothing to record
        }
        try {
            return CompletableFuture.supplyAsync(() -> NodeServiceGrpc.newBlockingStub(agents.forHost(m.getTo()))
                            .withDeadlineAfter(GuestAnswer.TIMEOUT.plus(CONTROL_DEADLINE).toMillis(),
                                    TimeUnit.MILLISECONDS)
                            .awaitGuest(GuestAnswer.request(m.getName(), resumeRequested)), background)
                    .exceptionally(e -> {
                        LOG.info("migration {}: no guest answer from {}: {}", id, m.getTo(), e.toString());
                        return AwaitGuestResponse.getDefaultInstance();
                    });
        } catch (RejectedExecutionException e) {
            return new CompletableFuture<>(); // shutting down: the migration itself must still complete
        }
    }

    private void recordGuestAnswer(AwaitGuestResponse answer, Instant resumeRequested) {
        try {
            Migration m = ops.update(term, id, x -> GuestAnswer.record(x, answer, resumeRequested));
            LOG.info("migration {}: {}", id, m.getGuestAnswerMs() > 0
                    ? "guest agent answered " + m.getGuestAnswerMs() + " ms after resume"
                    : "no guest agent answer after resume");
        } catch (RuntimeException e) {
            LOG.warn("migration {}: guest answer not recorded: {}", id, e.toString());
        }
    }

    private void end(Migration.Phase phase, String reason, MigrationProgress last) {
        Migration m = view.migration(id).orElseThrow().value();
        abortQuietly(m.getTo(), m);   // destroy the incoming copy
        // Agents act only for a migration they take part in: before PRECOPY the source was never asked to send.
        if (m.getPhase() != Migration.Phase.PENDING && m.getPhase() != Migration.Phase.PREPARING_TARGET) {
            try {
                control(m.getFrom()).cancelMigration(controlRequest(m));
            } catch (RuntimeException e) {
                LOG.warn("migration {}: cancel on source {} failed: {}", id, m.getFrom(), e.toString());
            }
            abortQuietly(m.getFrom(), m); // resume the source if the migration had paused it
        }
        Migration ended = ops.endWithoutMoving(term, id, phase, reason, x -> last == null ? x : x.toBuilder()
                .setProgress(last)
                .setTransferredBytes(last.getTransferredBytes())
                .setRounds(last.getRound())
                .setRung(last.getRung().isEmpty() ? x.getRung() : last.getRung())
                .setTotalMs(Duration.between(Times.instant(x.getCreatedAt()), Instant.now()).toMillis())
                .build());
        record(ended, phase.name().toLowerCase());
        LOG.info("migration {} of {} ended {}: {}", id, ended.getName(), phase, reason);
    }

    private void abortQuietly(String host, Migration m) {
        try {
            control(host).abortMigration(controlRequest(m));
        } catch (RuntimeException e) {
            if (Status.fromThrowable(e).getCode() == Status.Code.NOT_FOUND) {
                // The target's copy already went with its failure or its cancelled stream.
                LOG.info("migration {}: nothing to abort on {}: {}", id, host, e.getMessage());
            } else {
                LOG.warn("migration {}: abort on {} failed: {}", id, host, e.toString());
            }
        }
    }

    private void failSafely(String reason) {
        try {
            Migration m = view.migration(id).orElseThrow().value();
            // Not in SWITCHOVER: the target may already run the guest, so only its answer may end that (a new
            // leader asks it).
            if (!MigrationPhases.isTerminal(m.getPhase()) && m.getPhase() != Migration.Phase.SWITCHOVER) {
                end(Migration.Phase.FAILED, reason, null);
            }
        } catch (RuntimeException e) {
            LOG.warn("migration {}: could not record failure: {}", id, e.toString());
        }
    }

    private void recordProgress(MigrationProgress last) {
        try {
            ops.update(term, id, x -> x.toBuilder()
                    .setProgress(last)
                    .setRounds(last.getRound())
                    .setTransferredBytes(last.getTransferredBytes())
                    .setRung(last.getRung().isEmpty() ? x.getRung() : last.getRung())
                    .setReason(last.getReason().isEmpty() ? x.getReason() : last.getReason())
                    .build());
        } catch (FabricException e) {
            if (e.code() == ErrorCode.NOT_LEADER) {
                throw e;
            }
            LOG.debug("progress of {} not recorded: {}", id, e.getMessage());
        }
    }

    private void record(Migration m, String result) {
        metrics.finished.labelValues(result).inc();
        metrics.duration.labelValues(result).observe(m.getTotalMs() / 1000.0);
        metrics.transferred.inc(Math.max(0, m.getTransferredBytes()));
    }

    private boolean cancelRequested() {
        return view.migration(id).map(v -> v.value().getCancelRequested()).orElse(false);
    }

    private String hostOf(boolean target) {
        return view.migration(id).map(v -> target ? v.value().getTo() : v.value().getFrom()).orElse("?");
    }

    private int hostCpus(String hostId) {
        return view.host(hostId).map(h -> h.value().getCapacity().getVcpus()).orElse(0);
    }

    /** The host's agent carries TLS streams in its own tunnel (an older agent does not know the tunnel: uri). */
    private boolean carriesTunnel(String hostId) {
        return view.host(hostId).map(h -> h.value().getCapabilities().getMigrationTunnel()).orElse(false);
    }

    private String hostIp(String hostId) {
        String address = view.host(hostId).orElseThrow().value().getAddress();
        int colon = address.lastIndexOf(':');
        return colon < 0 ? address : address.substring(0, colon);
    }

    private NodeServiceGrpc.NodeServiceBlockingStub control(String host) {
        return NodeServiceGrpc.newBlockingStub(agents.forHost(host))
                .withDeadlineAfter(CONTROL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private MigrationControlRequest controlRequest(Migration m) {
        return MigrationControlRequest.newBuilder()
                .setMigrationId(id)
                .setTerm(term.revision())
                .setName(m.getName())
                .build();
    }

    static boolean isFinal(String qemuStatus) {
        return "completed".equals(qemuStatus) || "failed".equals(qemuStatus) || "cancelled".equals(qemuStatus);
    }

    /**
     * After a failover: a switchover completes if the target confirms the guest runs there and rolls back if it
     * cannot; anything earlier rolls back.
     */
    static void recover(String id, Term term, ClusterView view, MigrationOperations ops, AgentChannels agents,
                        MigrationMetrics metrics, MigrationTransport transport, Predicate<Term> leads,
                        Executor background, SwitchoverLimits limits) {
        MigrationRunner runner = new MigrationRunner(id, term, view, ops, agents, metrics, transport, leads,
                background, limits);
        Migration m = view.migration(id).orElseThrow().value();
        MigrationProgress last = m.hasProgress() ? m.getProgress() : null;
        switch (MigrationStateMachine.recoveryFor(m.getPhase())) {
            case CONFIRM_TARGET -> {
                TargetResume.Outcome resume = runner.targetResume.resume(m.getTo(), runner.controlRequest(m));
                if (resume.confirmed()) {
                    runner.complete(m, m.getProgress(), 0, "completed by a new leader after failover; target "
                            + resume.detail(), resume);
                } else {
                    runner.rollBackSwitchover(m, resume, last);
                }
            }
            case ROLL_BACK -> runner.end(Migration.Phase.ROLLED_BACK, "scheduler leader changed during "
                    + m.getPhase() + ": rolled back, the VSI stays on " + m.getFrom(), last);
            case NONE -> { }
        }
    }
}
