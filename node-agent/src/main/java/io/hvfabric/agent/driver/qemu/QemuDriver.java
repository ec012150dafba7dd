package io.hvfabric.agent.driver.qemu;

import io.hvfabric.agent.cgroup.CgroupLimits;
import io.hvfabric.agent.cgroup.CgroupManager;
import io.hvfabric.agent.driver.DiskAttachment;
import io.hvfabric.agent.driver.VirtDriver;
import io.hvfabric.agent.driver.VirtDriverException;
import io.hvfabric.agent.driver.VirtDriverException.Kind;
import io.hvfabric.agent.driver.VmHandle;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.agent.driver.VmStatus;
import io.hvfabric.agent.qmp.QmpClient;
import io.hvfabric.agent.qmp.QmpDisconnectedException;
import io.hvfabric.agent.qmp.QmpException;
import io.hvfabric.agent.qmp.QmpRunState;
import io.hvfabric.agent.qmp.QmpStatus;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One QEMU process per VSI. Everything the driver knows about a VSI lives in its run directory
 * ({@link RunDir}), so a new agent instance can {@link #adopt} what an earlier one started: QEMU is
 * started in its own session (setsid), not as a daemon of the agent, and outlives the agent.
 *
 * <p>Start sequence: fresh run dir → cgroup with limits → QEMU paused ({@code -S}) → pid into the
 * cgroup → QMP negotiated → {@code cont} → {@code query-status} says running.
 *
 * <p>Isolation (agent as root): each VSI's QEMU runs as its own id from {@link VsiIdPool}, as uid and gid, so no VSI
 * can signal, trace or open another's files. Its run directory is root's, mode 0710 with the VSI's group: QEMU may
 * enter it but not create, rename or replace anything there, so nothing the agent later opens as root in it can be a
 * link QEMU planted. QEMU's files inside (sockets, console log, pidfile) are its own, mode 0600. Root reaches all.
 * The id returns to the pool exactly when {@link #destroy} removes the run directory.
 *
 * <p>The one exception to "QEMU outlives the agent": a QEMU started for an incoming migration dies with the agent
 * until its guest first runs ({@link IncomingWatchdog}), because until then the source still has the guest.
 */
public final class QemuDriver implements VirtDriver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QemuDriver.class);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);
    private static final Duration CGROUP_REMOVE_WAIT = Duration.ofSeconds(3);
    private static final int LOG_TAIL_CHARS = 2000;
    /** A healthy QEMU answers QMP in milliseconds; a hung one must not stall stop() for long. */
    private static final Duration QMP_COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private final QemuDriverConfig config;
    private final CgroupManager cgroups;
    private final Optional<VsiIdPool> ids;
    private final ConcurrentHashMap<String, QmpClient> clients = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, IncomingWatchdog> watchdogs = new ConcurrentHashMap<>();
    private final QcowImages qcow;

    /**
     * Creates the run root and, when running as root, opens the id pool after checking that no local account uses
     * the range.
     */
    public QemuDriver(QemuDriverConfig config, CgroupManager cgroups) {
        this.config = config;
        this.cgroups = cgroups;
        this.qcow = new QcowImages(config.qemuImgBinary());
        try {
            Files.createDirectories(config.runRoot());
            if (ProcFs.isRoot()) {
                HostAccounts.requireDisjoint(config.vsiIds(), Path.of("/etc"));
                ids = Optional.of(new VsiIdPool(config.vsiIds(), config.vsiIdClaims(), ProcFs::liveUids));
            } else {
                ids = Optional.empty();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + config.runRoot() + " or " + config.vsiIdClaims(), e);
        }
    }

    /**
     * Whom QEMU processes run as, for logs and capability checks: one id per VSI from the range; empty when the
     * agent is not root and QEMU stays the agent's own user.
     */
    public Optional<String> runAsUser() {
        return ids.map(pool -> "one uid per VSI from --vsi-uid-range " + pool.range());
    }

    @Override
    public VmHandle start(VmLaunchSpec spec) {
        String name = spec.name();
        synchronized (lock(name)) {
            RunDir dir = RunDir.of(config.runRoot(), name);
            livePid(dir).ifPresent(pid -> {
                throw new VirtDriverException(Kind.ALREADY_RUNNING, name, "QEMU pid " + pid + " is already running");
            });
            requireReadable(name, "kernel", spec.kernel());
            requireReadable(name, "initrd", spec.initrd());
            closeClient(name);
            OptionalInt id = prepareRunDir(name, dir);
            prepareDisks(spec, id);
            createCgroup(spec);
            Instant deadline = Instant.now().plus(config.startTimeout());
            List<String> argv = new QemuCommandLine(config.qemuBinary(), spec, dir, id, config.tcgTranslationCacheMib()).argv();
            Process launcher = launch(name, dir, argv);
            if (spec.incoming().isPresent()) {
                guard(name, launcher.pid(), dir); // setsid exec'd QEMU: the same pid, guarded from its first instant
            }
            try {
                long pid = awaitPidAndSocket(name, dir, launcher, deadline);
                if (spec.incoming().isPresent() && pid != launcher.pid()) {
                    guard(name, pid, dir); // setsid had to fork after all
                }
                cgroups.attach(name, pid);
                QmpClient qmp = new QmpClient(name, QMP_COMMAND_TIMEOUT);
                clients.put(name, qmp);
                connectWhileStarting(qmp, dir, launcher, deadline);
                if (id.isPresent()) {
                    handOver(dir, new QemuIdentity(id.getAsInt(), id.getAsInt()));
                }
                VmStatus expected = spec.incoming().isPresent() ? VmStatus.INCOMING : VmStatus.RUNNING;
                if (expected == VmStatus.RUNNING) {
                    qmp.cont();
                }
                QmpStatus status = qmp.queryStatus();
                if (VmStatus.fromQemu(status.status()) != expected) {
                    throw new VirtDriverException(Kind.LAUNCH_FAILED, name,
                            "QEMU reports '" + status.status() + "' after start, expected " + expected);
                }
                log.info("VSI {}: QEMU pid {} {} ({})", name, pid, status.status(), dir.dir());
                return new VmHandle(name, pid, dir.dir());
            } catch (IOException | RuntimeException e) {
                abortLaunch(name, dir, launcher);
                if (e instanceof VirtDriverException vde) {
                    throw vde;
                }
                throw new VirtDriverException(Kind.LAUNCH_FAILED, name, e.getMessage() + logTail(dir), e);
            }
        }
    }

    /**
     * QEMU binds its QMP socket a moment before it listens on it; on a busy host a connect in between is refused.
     * Retries until the deadline while the QEMU that owns the socket is alive.
     */
    private static void connectWhileStarting(QmpClient qmp, RunDir dir, Process launcher, Instant deadline)
            throws IOException {
        while (true) {
            try {
                qmp.connect(dir.qmpSocket(), remaining(deadline));
                return;
            } catch (QmpDisconnectedException e) {
                boolean refused = String.valueOf(e.getMessage()).contains("refused");
                if (!refused || Instant.now().isAfter(deadline) || (!launcher.isAlive() && launcher.exitValue() != 0)) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private void createCgroup(VmLaunchSpec spec) {
        try {
            cgroups.create(spec.name(), CgroupLimits.forVm(spec.vcpus(), spec.memoryMib(), config.memoryOverheadBytes()));
        } catch (IOException e) {
            throw new VirtDriverException(Kind.LAUNCH_FAILED, spec.name(), "cannot create cgroup: " + e.getMessage(), e);
        }
    }

    /** setsid: QEMU leads its own session, so neither the agent's exit nor its terminal signals reach it. */
    private Process launch(String name, RunDir dir, List<String> argv) {
        List<String> command = new ArrayList<>(argv.size() + 1);
        command.add("setsid");
        command.addAll(argv);
        log.debug("VSI {}: launching {}", name, String.join(" ", command));
        try {
            return new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.qemuLog().toFile()))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            removeCgroupQuietly(name);
            throw new VirtDriverException(Kind.LAUNCH_FAILED, name, "cannot run " + config.qemuBinary() + ": " + e.getMessage(), e);
        }
    }

    private long awaitPidAndSocket(String name, RunDir dir, Process launcher, Instant deadline) {
        while (Instant.now().isBefore(deadline)) {
            Optional<Long> pid = readPid(dir);
            if (pid.isPresent() && Files.exists(dir.qmpSocket())) {
                return pid.get();
            }
            // setsid exits 0 only if it had to fork; then QEMU itself is still coming up.
            if (!launcher.isAlive() && launcher.exitValue() != 0) {
                throw new VirtDriverException(Kind.LAUNCH_FAILED, name,
                        "QEMU exited with code " + launcher.exitValue() + logTail(dir));
            }
            sleep(POLL);
        }
        throw new VirtDriverException(Kind.LAUNCH_FAILED, name,
                "QEMU did not create " + dir.qmpSocket() + " within " + config.startTimeout().toMillis() + " ms" + logTail(dir));
    }

    private void abortLaunch(String name, RunDir dir, Process launcher) {
        closeClient(name);
        readPid(dir).ifPresent(this::kill);
        launcher.destroyForcibly();
        readPid(dir).ifPresent(pid -> awaitExit(pid, KILL_WAIT));
        release(name);
        removeCgroupQuietly(name);
    }

    /** Replaces any earlier watchdog of this VSI: one QEMU per run dir. */
    private void guard(String name, long pid, RunDir dir) {
        try {
            IncomingWatchdog previous = watchdogs.put(name, IncomingWatchdog.arm(pid, dir.qmpSocket(), dir.qemuLog()));
            if (previous != null) {
                previous.release();
            }
        } catch (IOException e) {
            // The agent still removes the copy whenever it runs; only its death would leave the copy behind.
            log.warn("VSI {}: incoming QEMU pid {} will not die with this agent: cannot start its watchdog: {}", name,
                    pid, e.getMessage());
        }
    }

    private void release(String name) {
        IncomingWatchdog watchdog = watchdogs.remove(name);
        if (watchdog != null) {
            watchdog.release();
        }
    }

    @Override
    public void stop(String name, Duration grace) {
        VmLaunchSpec.requireValidName(name);
        synchronized (lock(name)) {
            RunDir dir = RunDir.of(config.runRoot(), name);
            Optional<Long> pid = livePid(dir);
            if (pid.isPresent()) {
                try {
                    client(name, dir).systemPowerdown();
                } catch (QmpException | VirtDriverException e) {
                    log.warn("VSI {}: ACPI powerdown failed, will quit: {}", name, e.getMessage());
                }
                if (!awaitExit(pid.get(), grace)) {
                    log.info("VSI {}: guest still up after {} ms, quitting QEMU", name, grace.toMillis());
                    quitOrKill(name, dir, pid.get());
                }
            }
            release(name);
            cleanUpAfterExit(name, dir);
            log.info("VSI {}: stopped", name);
        }
    }

    private void quitOrKill(String name, RunDir dir, long pid) {
        try {
            client(name, dir).quit();
        } catch (QmpException | VirtDriverException e) {
            log.warn("VSI {}: QMP quit failed: {}", name, e.getMessage());
        }
        if (!awaitExit(pid, config.quitTimeout())) {
            killAndWait(name, pid);
        }
    }

    @Override
    public void destroy(String name) {
        VmLaunchSpec.requireValidName(name);
        synchronized (lock(name)) {
            RunDir dir = RunDir.of(config.runRoot(), name);
            livePid(dir).ifPresent(pid -> killAndWait(name, pid));
            release(name);
            cleanUpAfterExit(name, dir);
            try {
                deleteRecursively(dir.dir());
                if (ids.isPresent()) {
                    ids.get().release(dir.dir());
                }
            } catch (IOException e) {
                throw new VirtDriverException(Kind.OPERATION_FAILED, name, "cannot remove " + dir.dir() + ": " + e.getMessage(), e);
            }
            log.info("VSI {}: destroyed", name);
        }
    }

    @Override
    public Optional<VmHandle> adopt(String name) {
        VmLaunchSpec.requireValidName(name);
        synchronized (lock(name)) {
            RunDir dir = RunDir.of(config.runRoot(), name);
            Optional<Long> pid = livePid(dir);
            if (pid.isEmpty()) {
                return Optional.empty();
            }
            try {
                QmpStatus status = client(name, dir).queryStatus();
                // A crash between launch and attach would leave QEMU outside its cgroup.
                if (cgroups.readLimits(name).isPresent() && !cgroups.processes(name).contains(pid.get())) {
                    cgroups.attach(name, pid.get());
                }
                log.info("VSI {}: adopted QEMU pid {} ({})", name, pid.get(), status.status());
            } catch (IOException e) {
                throw new VirtDriverException(Kind.OPERATION_FAILED, name, "cannot adopt QEMU pid " + pid.get() + ": " + e.getMessage(), e);
            }
            return Optional.of(new VmHandle(name, pid.get(), dir.dir()));
        }
    }

    @Override
    public List<VmHandle> listRunning() {
        List<VmHandle> running = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(config.runRoot())) {
            for (Path d : (Iterable<Path>) dirs.sorted()::iterator) {
                if (Files.isDirectory(d)) {
                    RunDir dir = new RunDir(d);
                    livePid(dir).ifPresent(pid -> running.add(new VmHandle(d.getFileName().toString(), pid, d)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + config.runRoot(), e);
        }
        return running;
    }

    @Override
    public List<String> listResident() {
        try (Stream<Path> dirs = Files.list(config.runRoot())) {
            return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).filter(QemuDriver::isVsiName)
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + config.runRoot(), e);
        }
    }

    private static boolean isVsiName(String name) {
        try {
            VmLaunchSpec.requireValidName(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public VmStatus status(String name) {
        VmLaunchSpec.requireValidName(name);
        synchronized (lock(name)) {
            RunDir dir = RunDir.of(config.runRoot(), name);
            if (livePid(dir).isEmpty()) {
                return VmStatus.STOPPED;
            }
            try {
                return VmStatus.fromQemu(client(name, dir).queryStatus().status());
            } catch (QmpException e) {
                if (livePid(dir).isEmpty()) {
                    return VmStatus.STOPPED; // exited while we asked
                }
                throw new VirtDriverException(Kind.OPERATION_FAILED, name, "query-status failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void resume(String name) {
        VmLaunchSpec.requireValidName(name);
        synchronized (lock(name)) {
            RunDir dir = RunDir.of(config.runRoot(), name);
            if (livePid(dir).isEmpty()) {
                throw new VirtDriverException(Kind.NOT_FOUND, name, "no QEMU is running");
            }
            try {
                QmpClient qmp = client(name, dir);
                VmStatus before = VmStatus.fromQemu(qmp.queryStatus().status());
                if (before == VmStatus.INCOMING) {
                    // "cont" here would only arm autostart; the memory has not arrived yet.
                    throw new VirtDriverException(Kind.OPERATION_FAILED, name, "still waiting for an incoming migration");
                }
                if (before != VmStatus.RUNNING) {
                    qmp.cont();
                    log.info("VSI {}: resumed (was {})", name, before);
                }
                // The guest runs here now (also in post-copy, where the source no longer has all of it): it must
                // outlive this agent like any other guest. Released before the caller answers, so a "running" the
                // scheduler hears is never killed by the watchdog afterwards.
                release(name);
            } catch (QmpException e) {
                throw new VirtDriverException(Kind.OPERATION_FAILED, name, "cont failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public Path consoleLog(String name) {
        return RunDir.of(config.runRoot(), VmLaunchSpec.requireValidName(name)).consoleLog();
    }

    /**
     * Found from the run directory alone, so a QEMU adopted after an agent restart is reached the same way. A QEMU
     * whose command line lacks the channel (started before it existed) has none.
     */
    @Override
    public Optional<Path> guestAgentSocket(String name) {
        VmLaunchSpec.requireValidName(name);
        RunDir dir = RunDir.of(config.runRoot(), name);
        return livePid(dir)
                .filter(pid -> ProcFs.cmdline(pid).stream().anyMatch(arg -> arg.contains(dir.qgaSocket().toString())))
                .map(pid -> dir.qgaSocket());
    }

    /**
     * The QMP connection of a running VSI, connecting if needed; for the migration roles, which
     * drive QEMU beyond the lifecycle operations here.
     */
    public QmpClient qmp(String name) {
        VmLaunchSpec.requireValidName(name);
        synchronized (lock(name)) {
            RunDir dir = RunDir.of(config.runRoot(), name);
            if (livePid(dir).isEmpty()) {
                throw new VirtDriverException(Kind.NOT_FOUND, name, "no QEMU is running");
            }
            return client(name, dir);
        }
    }

    /** Closes QMP connections; the QEMU processes keep running for the next agent to adopt. */
    @Override
    public void close() {
        clients.keySet().forEach(this::closeClient);
    }

    private QmpClient client(String name, RunDir dir) {
        QmpClient existing = clients.get(name);
        if (existing != null && existing.state() == QmpRunState.RUNNING) {
            return existing;
        }
        closeClient(name);
        QmpClient fresh = new QmpClient(name, QMP_COMMAND_TIMEOUT);
        try {
            fresh.connect(dir.qmpSocket(), config.startTimeout());
        } catch (QmpException e) {
            throw new VirtDriverException(Kind.OPERATION_FAILED, name, "cannot connect to QMP: " + e.getMessage(), e);
        }
        clients.put(name, fresh);
        return fresh;
    }

    private void closeClient(String name) {
        QmpClient c = clients.remove(name);
        if (c != null) {
            c.close();
        }
    }

    private void cleanUpAfterExit(String name, RunDir dir) {
        closeClient(name);
        removeCgroupQuietly(name);
        try {
            Files.deleteIfExists(dir.qmpSocket());
            Files.deleteIfExists(dir.qgaSocket());
            Files.deleteIfExists(dir.pidFile());
        } catch (IOException e) {
            log.warn("VSI {}: cannot clean {}: {}", name, dir.dir(), e.getMessage());
        }
    }

    /**
     * A dead QEMU stays a member of its (v1) cgroup until its parent reaps it, so rmdir is retried
     * for a while. A QEMU adopted after an agent restart is reaped by PID 1; where PID 1 never reaps,
     * its cgroup outlives it and is only logged.
     */
    private void removeCgroupQuietly(String name) {
        Instant deadline = Instant.now().plus(CGROUP_REMOVE_WAIT);
        while (true) {
            try {
                cgroups.remove(name);
                return;
            } catch (IOException e) {
                if (!Instant.now().isBefore(deadline)) {
                    log.warn("VSI {}: cannot remove cgroup: {}", name, e.getMessage());
                    return;
                }
            }
            sleep(POLL);
        }
    }

    /** The pid from the pidfile if that process is alive and is the QEMU of this run dir (pids get reused). */
    private static Optional<Long> livePid(RunDir dir) {
        return readPid(dir).filter(pid -> ProcFs.isRunning(pid)
                && ProcFs.cmdline(pid).stream().anyMatch(arg -> arg.contains(dir.qmpSocket().toString())));
    }

    private static Optional<Long> readPid(RunDir dir) {
        try {
            String s = Files.readString(dir.pidFile(), StandardCharsets.US_ASCII).trim();
            return s.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(s));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty(); // being written, or garbage: treat as absent
        }
    }

    /**
     * An empty run directory, and the VSI's id when QEMU drops to one. A held id's directory is emptied, never
     * removed: its existence is what keeps the id claimed ({@link VsiIdPool}).
     *
     * @throws io.hvfabric.common.error.FabricException RESOURCE_EXHAUSTED when the id range is used up
     */
    /** Each disk's image exists at its size and is the VSI's own before QEMU opens it. */
    private void prepareDisks(VmLaunchSpec spec, OptionalInt id) {
        for (DiskAttachment disk : spec.disks()) {
            try {
                qcow.prepare(disk, id);
            } catch (IOException e) {
                throw new VirtDriverException(Kind.LAUNCH_FAILED, spec.name(), "cannot prepare disk " + disk.nodeName()
                        + " (" + disk.file() + "): " + e.getMessage(), e);
            }
        }
    }

    private OptionalInt prepareRunDir(String name, RunDir dir) {
        try {
            if (ids.isEmpty()) {
                deleteRecursively(dir.dir());
                Files.createDirectories(dir.dir());
                Files.setPosixFilePermissions(dir.dir(), PosixFilePermissions.fromString("rwx------"));
                return OptionalInt.empty();
            }
            int id = ids.get().acquire(dir.dir());
            deleteContents(dir.dir());
            // Root's, entered by the VSI's group only: QEMU creates its files as root before it drops to the id and
            // needs nothing new in here afterwards (its pidfile stays for the agent to remove).
            Files.setAttribute(dir.dir(), "unix:uid", 0, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(dir.dir(), "unix:gid", id, LinkOption.NOFOLLOW_LINKS);
            Files.setPosixFilePermissions(dir.dir(), PosixFilePermissions.fromString("rwx--x---"));
            return OptionalInt.of(id);
        } catch (IOException e) {
            throw new VirtDriverException(Kind.LAUNCH_FAILED, name, "cannot prepare run dir " + dir.dir() + ": " + e.getMessage(), e);
        }
    }

    /**
     * QEMU made its sockets, console log and pidfile as root; once it listens on QMP it has dropped to its id, and
     * they become its own, readable by nobody else. Its stdout log is the agent's.
     */
    private static void handOver(RunDir dir, QemuIdentity qemu) throws IOException {
        for (Path p : List.of(dir.qmpSocket(), dir.qgaSocket(), dir.consoleLog(), dir.pidFile())) {
            qemu.chown(p);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        }
        Files.setPosixFilePermissions(dir.qemuLog(), PosixFilePermissions.fromString("rw-------"));
    }

    private void killAndWait(String name, long pid) {
        kill(pid);
        if (!awaitExit(pid, KILL_WAIT)) {
            throw new VirtDriverException(Kind.OPERATION_FAILED, name, "QEMU pid " + pid + " survived SIGKILL for " + KILL_WAIT.toSeconds() + " s");
        }
    }

    private void kill(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    private static boolean awaitExit(long pid, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (ProcFs.isRunning(pid)) {
            if (!Instant.now().isBefore(deadline)) {
                return false;
            }
            sleep(POLL);
        }
        return true;
    }

    private static void requireReadable(String name, String field, Path file) {
        if (!Files.isReadable(file)) {
            throw new VirtDriverException(Kind.LAUNCH_FAILED, name, field + " " + file + " is not a readable file on this host");
        }
    }

    private static String logTail(RunDir dir) {
        try {
            String s = Files.readString(dir.qemuLog(), StandardCharsets.UTF_8).trim();
            if (s.isEmpty()) {
                return "";
            }
            return "; QEMU said: " + (s.length() > LOG_TAIL_CHARS ? s.substring(s.length() - LOG_TAIL_CHARS) : s);
        } catch (IOException e) {
            return "";
        }
    }

    private static Duration remaining(Instant deadline) {
        Duration d = Duration.between(Instant.now(), deadline);
        return d.isNegative() ? Duration.ofMillis(1) : d;
    }

    private Object lock(String name) {
        return locks.computeIfAbsent(name, n -> new Object());
    }

    private static void deleteContents(Path dir) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : (Iterable<Path>) children::iterator) {
                deleteRecursively(child);
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VirtDriverException(Kind.OPERATION_FAILED, "-", "interrupted", e);
        }
    }
}
