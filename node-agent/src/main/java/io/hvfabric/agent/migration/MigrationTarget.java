package io.hvfabric.agent.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.InvalidProtocolBufferException;
import io.hvfabric.agent.driver.VirtDriver;
import io.hvfabric.agent.driver.VmHandle;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.agent.driver.VmStatus;
import io.hvfabric.agent.migration.MigrationMarkers.Kind;
import io.hvfabric.agent.migration.MigrationSessions.Role;
import io.hvfabric.agent.migration.MigrationSessions.Session;
import io.hvfabric.agent.network.NoNetworking;
import io.hvfabric.agent.network.VsiNetworking;
import io.hvfabric.agent.qmp.QmpException;
import io.hvfabric.agent.vsi.LaunchSpecs;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.tls.TlsFiles;
import io.hvfabric.migration.MigrationPolicy;
import io.hvfabric.proto.v1.ReceiveMigrationRequest;
import io.hvfabric.proto.v1.TargetEvent;
import io.hvfabric.proto.v1.VsiAssignment;
import java.io.IOException;
import java.nio.file.Path;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Target role: starts the VSI's QEMU with exactly the launch spec a normal start would use, but waiting for an
 * incoming migration ({@code -incoming defer}), arms the same capabilities as the source (both sides derive them from
 * {@code MigrationPolicy.plan} with the same inputs), listens, and watches until all memory arrived. The guest then
 * stays paused until {@link #resume}, whose "running" is the confirmation on which the scheduler moves ownership here.
 * Until the guest runs, its QEMU dies with this agent (the driver's watchdog): the source still has the guest.
 * Before QEMU starts, the VSI's networks are joined and its taps made ({@link VsiNetworking#receive}), so the guest is
 * on its networks at its first instruction here; whenever the incoming copy is discarded, its taps go with it.
 */
public final class MigrationTarget {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationTarget.class);
    static final long POLL_MS = 50; // the guest waits paused between completion and resume: notice it fast
    private static final int LISTEN_ATTEMPTS = 3;
    static final String TLS_OBJECT_ID = "hvf-tls-in";
    static final String TLS_AUTHZ_ID = "hvf-tls-in-authz";
    /**
     * The tunnelled stream's socket: QEMU binds it as root at start, before dropping to the VSI's id, in the run
     * directory only root may write (short: a unix socket path has at most 107 bytes).
     */
    static final String INCOMING_SOCKET = "mi.sock";

    private final VirtDriver driver;
    private final QmpAccess qmpAccess;
    private final LaunchSpecs launchSpecs;
    private final Optional<TlsFiles> tls;
    private final String listenHost;
    private final MigrationSessions sessions;
    private final MigrationPolicy policy;
    private final VsiNetworking networking;

    /**
     * @param tls the host's migration certificate files ({@link MigrationTls#besideAgent}), the only key QEMU gets;
     *            empty only for an agent started with {@code --insecure}
     * @param listenHost the host IP the migration stream is accepted on (the agent's advertised address)
     */
    public MigrationTarget(VirtDriver driver, QmpAccess qmpAccess, LaunchSpecs launchSpecs, Optional<TlsFiles> tls,
                           String listenHost, MigrationSessions sessions, MigrationPolicy policy) {
        this(driver, qmpAccess, launchSpecs, tls, listenHost, sessions, policy,
                new NoNetworking("no network data plane configured"));
    }

    /** @param networking joins the request's networks and makes the VSI's taps before QEMU starts */
    public MigrationTarget(VirtDriver driver, QmpAccess qmpAccess, LaunchSpecs launchSpecs, Optional<TlsFiles> tls,
                           String listenHost, MigrationSessions sessions, MigrationPolicy policy,
                           VsiNetworking networking) {
        this.networking = networking;
        this.policy = policy;
        this.driver = driver;
        this.qmpAccess = qmpAccess;
        this.launchSpecs = launchSpecs;
        this.tls = tls;
        this.listenHost = listenHost;
        this.sessions = sessions;
    }

    /**
     * Runs the whole target side on the calling thread: READY with the URI, then COMPLETED or FAILED. If
     * {@code cancel} is raised before COMPLETED, the incoming QEMU is destroyed and no further event is sent.
     *
     * @throws IllegalArgumentException a malformed request (the message names the field)
     * @throws IllegalStateException the VSI runs here already or is being received by another migration, or TLS was
     *         asked for and this host has no migration certificate
     */
    public void receive(ReceiveMigrationRequest request, Consumer<TargetEvent> events, CancelSignal cancel) {
        VsiAssignment assignment = parseAssignment(request);
        String name = assignment.getSpec().getName();
        Optional<TlsFiles> files = MigrationTls.forMigration(request.getTls(), tls);
        Optional<QemuTlsAuthz> authz = files.map(f -> QemuTlsAuthz.migrationSource(TLS_AUTHZ_ID,
                request.getSourceHostId()));
        Session session = new Session(request.getMigrationId(), name, Role.TARGET, cancel::cancel);
        sessions.begin(session);
        QemuTlsCredentials creds = null;
        TunnelTarget tunnel = null;
        MigrationQmp qmp = null;
        boolean started = false;
        boolean plugged = false;
        try {
            clearLeftover(name);
            MigrationTuning tuning = MigrationTuning.plan(policy, request.getObjective(), request.getMemoryMib(),
                    request.getMultifdChannels());
            // The agents' tunnel carries one stream; multifd channels keep QEMU's own TLS (one connection each).
            boolean tunnelled = request.getTunnel() && files.isPresent() && !tuning.plan().multifd();
            Path incomingSocket = driver.runDir(name).resolve(INCOMING_SOCKET);
            plugged = true; // from here on a failure removes whatever receive made, even half of it
            VmLaunchSpec spec = withIncoming(launchSpecs.forAssignment(assignment,
                    networking.receive(assignment, request.getNetworksList())),
                    tunnelled ? "unix:" + incomingSocket : "defer");
            if (cancel.isCancelled()) {
                unplugQuietly(name);
                return;
            }
            long t0 = System.nanoTime();
            VmHandle handle = driver.start(spec);
            started = true;
            long tQemu = System.nanoTime();
            // Durable (lives and dies with the run dir): an AbortMigration after an agent restart still knows
            // this paused guest is the incoming copy of this migration, not a source to resume.
            MigrationMarkers.mark(handle.runDir(), Kind.INCOMING, request.getMigrationId());
            cancel.onCancel(() -> discard(name, "the scheduler cancelled the incoming migration"));
            qmp = new MigrationQmp(qmpAccess.qmp(name));
            qmp.setCapabilities(tuning.targetCapabilities());
            qmp.setParameters(tuning.targetParameters());
            long tTune = System.nanoTime();
            String uri;
            if (tunnelled) {
                // QEMU gets no key: it already listens on a socket only root can reach; the agent admits the source.
                tunnel = TunnelTarget.listen(request.getMigrationId(), files.get(), listenHost,
                        request.getSourceHostId(), incomingSocket);
                uri = "tunnel:" + uriHost(listenHost) + ":" + tunnel.port();
            } else if (files.isPresent()) {
                creds = QemuTlsCredentials.prepare(handle.runDir(), TLS_OBJECT_ID, QemuTlsCredentials.Endpoint.SERVER,
                        files.get());
                qmp.addTlsCredentials(creds);
                qmp.addTlsAuthz(authz.get());
                qmp.setParameters(MigrationQmp.tlsParameters(creds.objectId(), null, authz.get().objectId()));
                uri = null;
            } else {
                uri = null;
            }
            long tTls = System.nanoTime();
            if (uri == null) {
                uri = listen(qmp);
            }
            long tListen = System.nanoTime();
            LOG.info("migration {}: receiving VSI {} on {} (tls={}{}, {}, {}); ready in {} ms (QEMU start {}, tuning {}, TLS {}, listen {})",
                    request.getMigrationId(), name, uri, request.getTls(), tunnelled ? " via the agents' tunnel" : "",
                    authz.map(a -> "only from " + a.identity()).orElse("from anyone"), tuning, ms(tListen - t0), ms(tQemu - t0),
                    ms(tTune - tQemu), ms(tTls - tTune), ms(tListen - tTls));
            events.accept(TargetEvent.newBuilder().setKind(TargetEvent.Kind.READY).setUri(uri).build());
            try (MigrationWakeups wakeups = new MigrationWakeups(qmpAccess.qmp(name), cancel)) {
                watch(request.getMigrationId(), name, qmp, events, cancel, wakeups);
            }
        } catch (IOException | RuntimeException e) {
            if (cancel.isCancelled()) {
                LOG.info("migration {}: target side of {} ended after cancel: {}", request.getMigrationId(), name, e.toString());
                if (plugged) {
                    unplugQuietly(name); // the cancel reaction may not have been armed yet
                }
                return;
            }
            LOG.warn("migration {}: target side of {} failed", request.getMigrationId(), name, e);
            if (started) {
                destroyQuietly(name, "the incoming migration failed");
            }
            if (plugged) {
                unplugQuietly(name);
            }
            // a refused spec or image (FabricException from LaunchSpecs) is the caller's error, not a failed migration
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException
                    || e instanceof FabricException) {
                throw (RuntimeException) e;
            }
            events.accept(failed(e.getMessage() == null ? e.toString() : e.getMessage()));
        } finally {
            sessions.end(session);
            if (tunnel != null) {
                tunnel.close();
            }
            if (creds != null && qmp != null) {
                qmp.dropTlsQuietly(creds.objectId(), TLS_AUTHZ_ID);
            }
            deleteQuietly(creds);
        }
    }

    /** Polls the incoming side until QEMU reports an end, the QEMU process dies, or the scheduler cancels. */
    private void watch(String migrationId, String name, MigrationQmp qmp, Consumer<TargetEvent> events, CancelSignal cancel,
                       MigrationWakeups wakeups) throws QmpException {
        boolean resumedForPostcopy = false;
        while (true) {
            try {
                wakeups.await(POLL_MS);
                if (cancel.isCancelled()) {
                    return; // the cancel reaction destroys the QEMU
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                discard(name, "the agent is shutting down");
                return;
            }
            JsonNode info;
            try {
                info = qmp.queryMigrate();
            } catch (QmpException e) {
                if (driver.status(name) == VmStatus.STOPPED) {
                    // QEMU 7.2 exits when an incoming migration fails.
                    finishFailed(name, events, "the target QEMU exited during the incoming migration");
                    return;
                }
                throw e;
            }
            String status = info.path("status").asText("none");
            if ("postcopy-active".equals(status) && !resumedForPostcopy && driver.status(name) == VmStatus.PAUSED) {
                // The source has stopped for good and sent the CPU state; the guest's pages arrive on demand only
                // while it runs here. Left paused (-S), it would sit idle until COMPLETED: a downtime as long as
                // the whole post-copy phase.
                resumedForPostcopy = true;
                driver.resume(name);
                LOG.info("migration {}: VSI {} switched to post-copy, running here", migrationId, name);
            }
            if ("completed".equals(status)) {
                LOG.info("migration {}: VSI {} arrived, paused until resumed", migrationId, name);
                events.accept(TargetEvent.newBuilder().setKind(TargetEvent.Kind.COMPLETED).build());
                return;
            }
            if ("failed".equals(status) || "cancelled".equals(status)) {
                finishFailed(name, events, "incoming migration " + status + ": "
                        + info.path("error-desc").asText("QEMU gave no reason"));
                return;
            }
        }
    }

    private void finishFailed(String name, Consumer<TargetEvent> events, String error) {
        discard(name, error);
        events.accept(failed(error));
    }

    /**
     * Target side of ResumeTarget: lets the arrived guest of {@code migrationId} run. Idempotent.
     *
     * @return "running" (the state QEMU entered on cont)
     * @throws io.hvfabric.common.error.FabricException NOT_FOUND or FAILED_PRECONDITION, nothing done, if the VSI
     *         here is not the copy that migration brought
     */
    public String resume(String migrationId, String name) {
        VmLaunchSpec.requireValidName(name);
        Optional<Session> session = sessions.find(Role.TARGET, name);
        if (session.isPresent() && session.get().migrationId().equals(migrationId)) {
            throw new IllegalStateException("VSI " + name + " is still being received; resume it after COMPLETED");
        }
        Optional<Path> dir = session.isPresent() ? Optional.empty() : runDir(name);
        boolean arrived = dir.filter(d -> MigrationMarkers.has(d, Kind.INCOMING, migrationId)).isPresent();
        if (!arrived && dir.filter(d -> MigrationMarkers.has(d, Kind.RESUMED, migrationId)).isEmpty()) {
            throw ControlRefusal.of(driver, sessions, "ResumeTarget", migrationId, name);
        }
        driver.resume(name); // returns only once QEMU accepted cont (or was running already)
        if (arrived) {
            try {
                MigrationMarkers.mark(dir.get(), Kind.RESUMED, migrationId);
                MigrationMarkers.clear(dir.get(), Kind.INCOMING);
            } catch (IOException e) {
                LOG.warn("VSI {}: cannot record its resume in {}: {}", name, dir.get(), e.toString());
            }
        }
        // No query-status here: the guest is inside the switchover until this call returns, and under TCG a QMP
        // round trip right after cont waits for the busy vCPU thread to release QEMU's lock (tens of ms).
        return VmStatus.RUNNING.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * True if {@code name} here is the incoming copy of migration {@code migrationId}: being received, waiting for
     * an incoming migration, or arrived and not yet resumed through {@link #resume}.
     */
    public boolean isTargetCopy(String migrationId, String name) {
        VmLaunchSpec.requireValidName(name);
        Optional<Session> session = sessions.find(Role.TARGET, name);
        if (session.isPresent()) {
            return session.get().migrationId().equals(migrationId);
        }
        return runDir(name).filter(d -> MigrationMarkers.has(d, Kind.INCOMING, migrationId)).isPresent()
                && driver.status(name) != VmStatus.RUNNING;
    }

    private Optional<Path> runDir(String name) {
        return driver.listRunning().stream().filter(h -> h.name().equals(name)).map(VmHandle::runDir).findFirst();
    }

    /**
     * Target side of AbortMigration: the incoming copy of {@code migrationId} goes, whatever state it reached.
     * Idempotent while the copy exists; refused (nothing done) for any other guest.
     */
    public String abort(String migrationId, String name) {
        if (!isTargetCopy(migrationId, name)) {
            throw ControlRefusal.of(driver, sessions, "AbortMigration", migrationId, name);
        }
        sessions.find(Role.TARGET, name).ifPresent(s -> s.onCancel().run());
        driver.destroy(name);
        unplugQuietly(name); // its networks go with the next reconcile unless another VSI here needs them
        return observed(name);
    }

    String observed(String name) {
        return driver.status(name).name().toLowerCase(java.util.Locale.ROOT);
    }

    private String listen(MigrationQmp qmp) throws QmpException, IOException {
        QmpException last = null;
        for (int attempt = 0; attempt < LISTEN_ATTEMPTS; attempt++) {
            String uri = "tcp:" + uriHost(listenHost) + ":" + freePort(listenHost);
            try {
                qmp.migrateIncoming(uri);
                return uri;
            } catch (QmpException e) {
                last = e; // most likely the port was taken between our probe and QEMU's bind
            }
        }
        throw last;
    }

    /** A port free right now on {@code host}; QEMU binds it moments later (a rare race is retried by the caller). */
    private static int freePort(String host) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return s.getLocalPort();
        }
    }

    private static String uriHost(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /** If a QEMU of that name already waits for a migration here, it is a leftover of an earlier attempt. */
    private void clearLeftover(String name) {
        VmStatus status = driver.status(name);
        if (status == VmStatus.INCOMING) {
            LOG.info("VSI {}: removing a leftover incoming QEMU of an earlier attempt", name);
            driver.destroy(name);
        } else if (status.isAlive()) {
            throw new IllegalStateException("VSI " + name + " already runs on this host (" + status.name().toLowerCase(java.util.Locale.ROOT)
                    + "); cannot receive it");
        }
    }

    private static VsiAssignment parseAssignment(ReceiveMigrationRequest request) {
        MigrationMarkers.requireValidId(request.getMigrationId());
        VsiAssignment assignment;
        try {
            assignment = VsiAssignment.parseFrom(request.getAssignment());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("assignment must be a serialized VsiAssignment: " + e.getMessage(), e);
        }
        if (!assignment.hasSpec()) {
            throw new IllegalArgumentException("assignment must carry the VSI spec");
        }
        VmLaunchSpec.requireValidName(assignment.getSpec().getName());
        return assignment;
    }

    /** @param incoming {@code defer} (QMP migrate-incoming follows) or the unix socket QEMU listens on at once */
    static VmLaunchSpec withIncoming(VmLaunchSpec s, String incoming) {
        return new VmLaunchSpec(s.name(), s.vcpus(), s.memoryMib(), s.kernel(), s.initrd(), s.cmdline(), s.accelerator(),
                s.cpuModel(), s.machineType(), Optional.of(incoming), s.nics());
    }

    /** The incoming copy goes, and its taps with it. */
    private void discard(String name, String why) {
        destroyQuietly(name, why);
        unplugQuietly(name);
    }

    private void unplugQuietly(String name) {
        try {
            networking.unplug(name);
        } catch (RuntimeException e) {
            LOG.warn("VSI {}: cannot remove its taps (the next reconcile sweeps them): {}", name, e.toString());
        }
    }

    private void destroyQuietly(String name, String why) {
        try {
            driver.destroy(name);
            LOG.info("VSI {}: incoming QEMU destroyed: {}", name, why);
        } catch (RuntimeException e) {
            LOG.warn("VSI {}: cannot destroy the incoming QEMU ({}): {}", name, why, e.toString());
        }
    }

    static void deleteQuietly(QemuTlsCredentials creds) {
        if (creds != null) {
            try {
                creds.deleteFiles();
            } catch (IOException e) {
                LOG.warn("cannot remove TLS copies in {}: {}", creds.dir(), e.toString());
            }
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private static TargetEvent failed(String error) {
        return TargetEvent.newBuilder().setKind(TargetEvent.Kind.FAILED).setError(error).build();
    }
}
