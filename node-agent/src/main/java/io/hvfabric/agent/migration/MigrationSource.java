package io.hvfabric.agent.migration;

import com.fasterxml.jackson.databind.JsonNode;
import io.hvfabric.agent.driver.VirtDriver;
import io.hvfabric.agent.driver.VmHandle;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.agent.driver.VmStatus;
import io.hvfabric.agent.migration.MigrationMarkers.Kind;
import io.hvfabric.agent.migration.MigrationSessions.Role;
import io.hvfabric.agent.migration.MigrationSessions.Session;
import io.hvfabric.agent.qmp.QmpException;
import io.hvfabric.common.tls.TlsFiles;
import io.hvfabric.migration.MigrationPolicy;
import io.hvfabric.proto.v1.MigrationProgress;
import io.hvfabric.proto.v1.SendMigrationRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Source role: arms the planned capabilities and parameters, starts {@code migrate} to the target's URI, and every
 * {@value #POLL_MS} ms turns {@code query-migrate} into a {@link MigrationProgress} sample, lets the convergence
 * policy decide (raise the rung, switch to post-copy, abort) and streams the sample. The last sample has status
 * completed, failed or cancelled. A completed source guest stays paused (postmigrate) for the scheduler to destroy;
 * cancelling keeps it running here.
 */
public final class MigrationSource {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationSource.class);
    static final long POLL_MS = 50; // the guest waits paused between completion and resume: notice it fast
    /** After migrate_cancel, QEMU needs a moment to tear the stream down and report "cancelled". */
    private static final long CANCEL_SETTLE_MS = 30_000;
    private static final int SETTLE_ATTEMPTS = 100;
    private static final long SETTLE_POLL_MS = 2;
    private static final Pattern URI = Pattern.compile("tcp:(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}");
    static final String TLS_OBJECT_ID = "hvf-tls-out";
    private static final long TUNNEL_DRAIN_MS = 30_000;

    private final VirtDriver driver;
    private final QmpAccess qmpAccess;
    private final Optional<TlsFiles> tls;
    private final MigrationSessions sessions;
    private final MigrationPolicy policy;

    /**
     * @param tls the host's migration certificate files ({@link MigrationTls#besideAgent}), the only key QEMU gets;
     *            empty only for an agent started with {@code --insecure}
     */
    public MigrationSource(VirtDriver driver, QmpAccess qmpAccess, Optional<TlsFiles> tls, MigrationSessions sessions,
                           MigrationPolicy policy) {
        this.policy = policy;
        this.driver = driver;
        this.qmpAccess = qmpAccess;
        this.tls = tls;
        this.sessions = sessions;
    }

    /**
     * Runs the migration on the calling thread, handing each sample to {@code samples}. Raising {@code cancel}
     * sends {@code migrate_cancel} at once; the guest keeps running here.
     *
     * @throws IllegalArgumentException a malformed request (the message names the field)
     * @throws IllegalStateException the guest is not running here, or is already being migrated, or TLS was asked
     *         for and this host has no migration certificate
     */
    public void send(SendMigrationRequest request, Consumer<MigrationProgress> progress, CancelSignal cancel) {
        String name = validate(request);
        AtomicReference<String> lastStatus = new AtomicReference<>("");
        Consumer<MigrationProgress> samples = s -> {
            lastStatus.set(s.getStatus());
            progress.accept(s);
        };
        Optional<TlsFiles> files = MigrationTls.forMigration(request.getTls(), tls);
        VmStatus status = driver.status(name);
        if (status != VmStatus.RUNNING) {
            throw new IllegalStateException("VSI " + name + " must be running on this host to migrate it, but is "
                    + status.name().toLowerCase(Locale.ROOT));
        }
        MigrationQmp qmp = new MigrationQmp(qmpAccess.qmp(name));
        Session session = new Session(request.getMigrationId(), name, Role.SOURCE, () -> cancelQuietly(name, qmp));
        sessions.begin(session);
        QemuTlsCredentials creds = null;
        TunnelSource tunnel = null;
        try {
            Path runDir = runDir(name);
            // Durable: a CancelMigration or AbortMigration after an agent restart acts only for this migration.
            MigrationMarkers.mark(runDir, Kind.OUTGOING, request.getMigrationId());
            MigrationTuning tuning = MigrationTuning.plan(policy, request.getObjective(), request.getMemoryMib(),
                    request.getMultifdChannels());
            awaitNoMigrationInProgress(name, qmp);
            qmp.setCapabilities(tuning.sourceCapabilities());
            qmp.setParameters(tuning.sourceParameters());
            if (files.isPresent() && TunnelSource.isTunnelUri(request.getUri())) {
                // The target chose the agents' tunnel: QEMU sends plain bytes to a socket only it and root can use.
                tunnel = TunnelSource.open(request.getMigrationId(), files.get(), request.getUri(),
                        request.getTargetHost(), runDir);
                qmp.setParameters(MigrationQmp.tlsParameters("", "", null));
            } else if (files.isPresent()) {
                creds = QemuTlsCredentials.prepare(runDir, TLS_OBJECT_ID, QemuTlsCredentials.Endpoint.CLIENT,
                        files.get());
                qmp.addTlsCredentials(creds);
                // GnuTLS checks the target's certificate (fabric CA) against the IP this source dials.
                qmp.setParameters(MigrationQmp.tlsParameters(creds.objectId(), request.getTargetHost(), null));
            } else {
                qmp.setParameters(MigrationQmp.tlsParameters("", "", null));
            }
            LOG.info("migration {}: sending VSI {} to {} (tls={}, {})", request.getMigrationId(), name, request.getUri(),
                    request.getTls(), tuning);
            cancel.onCancel(session.onCancel());
            if (cancel.isCancelled()) {
                samples.accept(MigrationProgress.newBuilder().setStatus("cancelled").setRung(tuning.rung())
                        .setReason("cancelled before the migration started").build());
                return;
            }
            try (MigrationWakeups wakeups = new MigrationWakeups(qmpAccess.qmp(name), cancel)) {
                if (tunnel != null) {
                    tunnel.joinWhenQemuConnects();
                }
                qmp.migrate(tunnel != null ? tunnel.qemuUri() : request.getUri());
                follow(request.getMigrationId(), name, qmp,
                        new MigrationSteering(policy, tuning.plan(), System::currentTimeMillis), samples, cancel,
                        wakeups);
            }
        } catch (IOException e) {
            cancelQuietly(name, qmp);
            LOG.warn("migration {}: source side of {} failed", request.getMigrationId(), name, e);
            samples.accept(MigrationProgress.newBuilder().setStatus("failed")
                    .setError(e.getMessage() == null ? e.toString() : e.getMessage()).build());
        } finally {
            sessions.end(session);
            if (tunnel != null) {
                drainAndClose(request.getMigrationId(), tunnel, "completed".equals(lastStatus.get()));
            }
            if (creds != null) {
                qmp.dropTlsQuietly(creds.objectId(), null);
            }
            MigrationTarget.deleteQuietly(creds);
        }
    }

    /** A completed stream's tail may still be on its way to the target: it goes out before the tunnel closes. */
    private static void drainAndClose(String migrationId, TunnelSource tunnel, boolean completed) {
        try {
            if (completed && !tunnel.awaitSent(TUNNEL_DRAIN_MS)) {
                LOG.warn("migration {}: the tunnel did not pass the stream's end on within {} ms", migrationId,
                        TUNNEL_DRAIN_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            tunnel.close();
        }
    }

    /**
     * A cancelled or failed earlier attempt (e.g. rolled back by a new leader a moment ago) can still be winding down
     * inside QEMU; capabilities cannot change and a new migrate is refused until it has ended.
     */
    private static void awaitNoMigrationInProgress(String name, MigrationQmp qmp) throws QmpException {
        long deadline = System.currentTimeMillis() + PREVIOUS_MIGRATION_WAIT_MS;
        while (true) {
            String status = qmp.queryMigrate().path("status").asText("none");
            if (List.of("none", "completed", "failed", "cancelled").contains(status)) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("VSI " + name + " still has a migration in progress (" + status + ")");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for an earlier migration of " + name);
            }
        }
    }

    private static final long PREVIOUS_MIGRATION_WAIT_MS = 15_000;

    private void follow(String migrationId, String name, MigrationQmp qmp, MigrationSteering steering,
                        Consumer<MigrationProgress> samples, CancelSignal cancel, MigrationWakeups wakeups)
            throws QmpException {
        long cancelledAt = 0;
        long startedAt = System.currentTimeMillis();
        MigrationProgress previous = null;
        while (true) {
            try {
                wakeups.await(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancelQuietly(name, qmp);
                return;
            }
            JsonNode info = settled(qmp, qmp.queryMigrate());
            MigrationProgress sample = ProgressSamples.withLastKnownCounters(ProgressSamples.fromQueryMigrate(info),
                    previous, System.currentTimeMillis() - startedAt);
            previous = sample;
            if (cancel.isCancelled()) {
                // Only a final status still matters; the policy must not act on a migration being torn down.
                cancelledAt = cancelledAt == 0 ? System.currentTimeMillis() : cancelledAt;
                if (ProgressSamples.isFinal(sample.getStatus())
                        || System.currentTimeMillis() - cancelledAt > CANCEL_SETTLE_MS) {
                    samples.accept(sample.toBuilder().setReason("cancelled by the scheduler").build());
                    LOG.info("migration {}: VSI {} cancelled, QEMU says {}", migrationId, name, sample.getStatus());
                    return;
                }
                continue;
            }
            samples.accept(steering.step(sample, qmp));
            if (ProgressSamples.isFinal(sample.getStatus())) {
                LOG.info("migration {}: VSI {} {} after {} ms (downtime {} ms, {} bytes, {} rounds)", migrationId, name,
                        sample.getStatus(), sample.getElapsedMs(), sample.getDowntimeMs(), sample.getTransferredBytes(),
                        sample.getRound());
                return;
            }
        }
    }

    /**
     * QEMU 7.2 switches to "completed" a moment before it computes the migration's total time and downtime; a
     * query-migrate right after the MIGRATION event can land in between and read zeros. Asks again, briefly.
     */
    private static JsonNode settled(MigrationQmp qmp, JsonNode info) throws QmpException {
        JsonNode current = info;
        for (int attempt = 0; attempt < SETTLE_ATTEMPTS && "completed".equals(current.path("status").asText())
                && current.path("total-time").asLong() == 0; attempt++) {
            try {
                Thread.sleep(SETTLE_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return current;
            }
            current = qmp.queryMigrate();
        }
        return current;
    }

    /**
     * True if {@code name} here is the source of migration {@code migrationId}: sending it now, or the latest
     * migration this QEMU sent.
     */
    public boolean isSourceOf(String migrationId, String name) {
        VmLaunchSpec.requireValidName(name);
        Optional<Session> session = sessions.find(Role.SOURCE, name);
        if (session.isPresent()) {
            return session.get().migrationId().equals(migrationId);
        }
        return driver.listRunning().stream().filter(h -> h.name().equals(name)).map(VmHandle::runDir).findFirst()
                .filter(d -> MigrationMarkers.has(d, Kind.OUTGOING, migrationId)).isPresent();
    }

    /**
     * CancelMigration: stops the outgoing migration {@code migrationId} of {@code name}; the guest keeps running
     * here. Idempotent; refused (nothing done) unless this QEMU is that migration's source.
     */
    public String cancel(String migrationId, String name) {
        if (!isSourceOf(migrationId, name)) {
            throw ControlRefusal.of(driver, sessions, "CancelMigration", migrationId, name);
        }
        Optional<Session> session = sessions.find(Role.SOURCE, name);
        if (session.isPresent()) {
            session.get().onCancel().run();
        } else if (driver.status(name).isAlive()) {
            cancelQuietly(name, new MigrationQmp(qmpAccess.qmp(name)));
        }
        return observed(name);
    }

    /**
     * Source side of AbortMigration: cancels what still runs and, if a completed (or failed) migration left the guest
     * paused, lets it run again, so after a rollback exactly one copy runs: this one. Idempotent; refused (nothing
     * done) unless this QEMU is that migration's source.
     */
    public String abort(String migrationId, String name) {
        if (!isSourceOf(migrationId, name)) {
            throw ControlRefusal.of(driver, sessions, "AbortMigration", migrationId, name);
        }
        cancel(migrationId, name);
        VmStatus status = driver.status(name);
        if (status == VmStatus.MIGRATED || status == VmStatus.PAUSED) {
            driver.resume(name);
        }
        return observed(name);
    }

    private String observed(String name) {
        return driver.status(name).name().toLowerCase(Locale.ROOT);
    }

    private void cancelQuietly(String name, MigrationQmp qmp) {
        try {
            qmp.cancel();
            LOG.info("VSI {}: migrate_cancel sent", name);
        } catch (QmpException | RuntimeException e) {
            LOG.warn("VSI {}: migrate_cancel failed: {}", name, e.toString());
        }
    }

    private Path runDir(String name) {
        return driver.listRunning().stream().filter(h -> h.name().equals(name)).map(VmHandle::runDir).findFirst()
                .orElseThrow(() -> new IllegalStateException("VSI " + name + " is not running on this host"));
    }

    private static String validate(SendMigrationRequest request) {
        MigrationMarkers.requireValidId(request.getMigrationId());
        VmLaunchSpec.requireValidName(request.getName());
        boolean tunnel = TunnelSource.URI.matcher(request.getUri()).matches();
        if (!URI.matcher(request.getUri()).matches() && !tunnel) {
            throw new IllegalArgumentException("uri must be tcp:<host>:<port> or tunnel:<ip>:<port> as sent by the "
                    + "target's READY, got '" + request.getUri() + "'");
        }
        if (tunnel && !request.getTls()) {
            throw new IllegalArgumentException("uri tunnel:... carries only TLS streams, but tls is not set");
        }
        if (request.getTls() && request.getTargetHost().isBlank()) {
            throw new IllegalArgumentException("target_host must name the target's IP when tls is set");
        }
        if (request.getMemoryMib() < 0) {
            throw new IllegalArgumentException("memory_mib must not be negative, got " + request.getMemoryMib());
        }
        return request.getName();
    }
}
