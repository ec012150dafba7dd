package io.hvfabric.agent.driver.fake;

import io.hvfabric.agent.driver.VirtDriver;
import io.hvfabric.agent.driver.VirtDriverException;
import io.hvfabric.agent.driver.VirtDriverException.Kind;
import io.hvfabric.agent.driver.VmHandle;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.agent.driver.VmStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * In-memory {@link VirtDriver}, selected by configuration in place of the QEMU driver so the real
 * agent, scheduler tests and the scale simulator run without hypervisors. Keeps the same contract:
 * names validated, ALREADY_RUNNING on a duplicate start, idempotent stop/destroy, optional start
 * latency, and fault injection ({@link #failNextStart}, {@link #crash}, {@link #vanish}).
 */
public final class FakeDriver implements VirtDriver {
    /** How the fake waits out its start latency; tests pass one that advances a manual clock. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private record FakeVm(VmHandle handle, VmLaunchSpec spec, VmStatus status) {
        FakeVm with(VmStatus s) {
            return new FakeVm(handle, spec, s);
        }
    }

    private final Path runRoot;
    private final Duration startLatency;
    private final Sleeper sleeper;
    private final Map<String, FakeVm> vms = new ConcurrentHashMap<>();
    private final Map<String, String> startFailures = new ConcurrentHashMap<>();
    private final AtomicLong nextPid = new AtomicLong(100_000);

    /**
     * @param runRoot where the fake says run directories and console logs are; nothing is written
     * @param startLatency how long {@link #start} takes, like a booting guest
     */
    public FakeDriver(Path runRoot, Duration startLatency, Sleeper sleeper) {
        this.runRoot = Objects.requireNonNull(runRoot, "runRoot");
        this.startLatency = Objects.requireNonNull(startLatency, "startLatency");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        if (startLatency.isNegative()) {
            throw new IllegalArgumentException("startLatency must be >= 0, got " + startLatency);
        }
    }

    /** Instant starts. */
    public FakeDriver(Path runRoot) {
        this(runRoot, Duration.ZERO, d -> {});
    }

    /** Starts with a real-time latency. */
    public FakeDriver(Path runRoot, Duration startLatency) {
        this(runRoot, startLatency, d -> Thread.sleep(d.toMillis()));
    }

    @Override
    public VmHandle start(VmLaunchSpec spec) {
        String name = spec.name();
        FakeVm existing = vms.get(name);
        if (existing != null && existing.status().isAlive()) {
            throw new VirtDriverException(Kind.ALREADY_RUNNING, name, "fake VM pid " + existing.handle().pid() + " is already running");
        }
        String failure = startFailures.remove(name);
        if (failure != null) {
            throw new VirtDriverException(Kind.LAUNCH_FAILED, name, failure);
        }
        if (!startLatency.isZero()) {
            try {
                sleeper.sleep(startLatency);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VirtDriverException(Kind.LAUNCH_FAILED, name, "interrupted while starting", e);
            }
        }
        VmHandle handle = new VmHandle(name, nextPid.getAndIncrement(), runRoot.resolve(name));
        VmStatus status = spec.incoming().isPresent() ? VmStatus.INCOMING : VmStatus.RUNNING;
        FakeVm vm = new FakeVm(handle, spec, status);
        FakeVm previous = vms.putIfAbsent(name, vm);
        if (previous != null && (previous != existing || !vms.replace(name, previous, vm))) {
            throw new VirtDriverException(Kind.ALREADY_RUNNING, name, "started concurrently");
        }
        return handle;
    }

    @Override
    public void stop(String name, Duration grace) {
        vms.computeIfPresent(VmLaunchSpec.requireValidName(name), (n, vm) -> vm.with(VmStatus.STOPPED));
    }

    @Override
    public void destroy(String name) {
        vms.remove(VmLaunchSpec.requireValidName(name));
    }

    @Override
    public Optional<VmHandle> adopt(String name) {
        FakeVm vm = vms.get(VmLaunchSpec.requireValidName(name));
        return vm != null && vm.status().isAlive() ? Optional.of(vm.handle()) : Optional.empty();
    }

    @Override
    public List<VmHandle> listRunning() {
        List<VmHandle> running = new ArrayList<>();
        for (FakeVm vm : vms.values()) {
            if (vm.status().isAlive()) {
                running.add(vm.handle());
            }
        }
        running.sort(Comparator.comparing(VmHandle::name));
        return running;
    }

    @Override
    public List<String> listResident() {
        return vms.keySet().stream().sorted().toList();
    }

    @Override
    public VmStatus status(String name) {
        FakeVm vm = vms.get(VmLaunchSpec.requireValidName(name));
        return vm == null ? VmStatus.STOPPED : vm.status();
    }

    @Override
    public void resume(String name) {
        FakeVm vm = vms.get(VmLaunchSpec.requireValidName(name));
        if (vm == null || !vm.status().isAlive()) {
            throw new VirtDriverException(Kind.NOT_FOUND, name, "no such fake VM");
        }
        if (vm.status() == VmStatus.INCOMING) {
            throw new VirtDriverException(Kind.OPERATION_FAILED, name, "still waiting for an incoming migration");
        }
        if (vm.status() == VmStatus.PAUSED || vm.status() == VmStatus.MIGRATED) {
            vms.put(name, vm.with(VmStatus.RUNNING));
        }
    }

    @Override
    public Path consoleLog(String name) {
        return runRoot.resolve(VmLaunchSpec.requireValidName(name)).resolve("console.log");
    }

    /** Fake guests run no guest agent: their guest status is NO_AGENT. */
    @Override
    public Optional<Path> guestAgentSocket(String name) {
        VmLaunchSpec.requireValidName(name);
        return Optional.empty();
    }

    /** The spec a running or stopped fake VM was started with. */
    public Optional<VmLaunchSpec> specOf(String name) {
        return Optional.ofNullable(vms.get(name)).map(FakeVm::spec);
    }

    /** The next {@link #start} of {@code name} fails with LAUNCH_FAILED and this message. */
    public void failNextStart(String name, String reason) {
        startFailures.put(VmLaunchSpec.requireValidName(name), reason);
    }

    /** The guest panics: the "process" stays, status becomes CRASHED. */
    public void crash(String name) {
        setStatus(name, VmStatus.CRASHED);
    }

    /** The guest stops executing with its process alive, as after a completed outgoing migration. */
    public void pause(String name, VmStatus status) {
        if (status != VmStatus.PAUSED && status != VmStatus.MIGRATED) {
            throw new IllegalArgumentException("status must be PAUSED or MIGRATED, got " + status);
        }
        setStatus(name, status);
    }

    /** The hypervisor process disappears behind the agent's back (OOM kill, host operator). */
    public void vanish(String name) {
        setStatus(name, VmStatus.STOPPED);
    }

    /** An incoming migration completed and the guest was resumed. */
    public void completeIncoming(String name) {
        FakeVm vm = vms.get(name);
        if (vm == null || vm.status() != VmStatus.INCOMING) {
            throw new VirtDriverException(Kind.NOT_FOUND, name, "no fake VM waiting for an incoming migration");
        }
        vms.put(name, vm.with(VmStatus.RUNNING));
    }

    private void setStatus(String name, VmStatus status) {
        if (vms.computeIfPresent(name, (n, vm) -> vm.with(status)) == null) {
            throw new VirtDriverException(Kind.NOT_FOUND, name, "no such fake VM");
        }
    }
}
