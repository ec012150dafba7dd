package io.hvfabric.agent.guest;

import io.hvfabric.agent.driver.VirtDriver;
import io.hvfabric.agent.driver.VirtDriverException;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.agent.driver.VmStatus;
import io.hvfabric.agent.guest.GuestMonitor.Mode;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.AwaitGuestRequest;
import io.hvfabric.proto.v1.AwaitGuestResponse;
import io.hvfabric.proto.v1.ExecVsiRequest;
import io.hvfabric.proto.v1.ExecVsiResponse;
import io.hvfabric.proto.v1.GuestStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The two NodeService guest agent calls, GuestExec and AwaitGuest: request rules (each violation names its field),
 * where the guest is, and what state it must be in. Errors are {@link FabricException}s; the gRPC edge maps them.
 */
public final class GuestCalls {
    public static final long DEFAULT_TIMEOUT_MS = 10_000;
    public static final long MAX_TIMEOUT_MS = 300_000;
    public static final int MAX_ARGS = 256;
    public static final int MAX_ARG_BYTES = 4096;
    public static final int MAX_STDIN_BYTES = 64 << 10;
    /** AwaitGuest asks this often while nothing answered: the answer time after a switchover is this precise. */
    private static final long AWAIT_POLL_MS = 20;

    private final GuestMonitors monitors;
    private final VirtDriver driver;
    private final String hostId;

    public GuestCalls(GuestMonitors monitors, VirtDriver driver, String hostId) {
        this.monitors = monitors;
        this.driver = driver;
        this.hostId = hostId;
    }

    /**
     * @param cancelled true once the caller gave up; the command is then killed as on a timeout
     * @throws FabricException INVALID_ARGUMENT (a field breaks a rule), NOT_FOUND (the VSI does not run here),
     *     FAILED_PRECONDITION (its guest agent is not UP, or could not start the command), UNAVAILABLE (the agent
     *     stopped answering)
     */
    public ExecVsiResponse exec(ExecVsiRequest request, BooleanSupplier cancelled) {
        String name = validName(request.getName());
        List<String> argv = command(request.getCommandList());
        if (request.getStdin().size() > MAX_STDIN_BYTES) {
            throw FabricException.invalidArgument("stdin", "must be at most %d bytes (got %d)", MAX_STDIN_BYTES,
                    request.getStdin().size());
        }
        Duration timeout = timeout(request.getTimeoutMs());
        GuestMonitor monitor = monitors.get(name).orElse(null);
        if (monitor == null && !runsHere(name)) {
            throw notHere(name);
        }
        GuestState state = monitor == null ? null : monitor.state();
        if (state != GuestState.UP || monitor.client().isEmpty()) {
            throw FabricException.failedPrecondition("guest agent of VSI %s is not UP (state %s)", name,
                    state == null ? GuestStatus.State.STATE_UNSPECIFIED : state);
        }
        return new GuestExec(name, monitor.client().get(), cancelled)
                .run(argv, request.getStdin().toByteArray(), timeout)
                .setHost(hostId)
                .build();
    }

    /**
     * Waits until the guest agent answers a ping at or after {@code after}, pinging every {@value #AWAIT_POLL_MS} ms
     * meanwhile. A guest that was only just resumed (a migration target) is watched from now on, even before the
     * reconciler noticed. Returns at once, unanswered, when the image has no guest agent.
     */
    public AwaitGuestResponse await(AwaitGuestRequest request) {
        String name = validName(request.getName());
        Duration timeout = timeout(request.getTimeoutMs());
        Instant after = request.hasAfter() ? GuestMonitor.instant(request.getAfter()) : Instant.EPOCH;
        if (monitors.get(name).isEmpty() && !runsHere(name)) {
            throw notHere(name);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<GuestMonitor> monitor = monitors.get(name);
            if ((monitor.isEmpty() || monitor.get().mode() != Mode.WATCHING) && executes(name)) {
                monitors.resumed(name);
                monitor = monitors.get(name);
            }
            if (monitor.isPresent()) {
                GuestMonitor m = monitor.get();
                Optional<Instant> answer = m.firstAnswerAtOrAfter(after);
                if (answer.isEmpty()) {
                    Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
                    Duration ping = monitors.policy().pingTimeout();
                    answer = m.probe(left.compareTo(ping) < 0 ? left : ping)
                            .filter(a -> !a.isBefore(after));
                }
                if (answer.isPresent()) {
                    return AwaitGuestResponse.newBuilder().setAnswered(true)
                            .setAnsweredAt(GuestMonitor.timestamp(answer.get())).setGuest(m.status()).build();
                }
                if (!m.agentExpected()) {
                    return unanswered(monitor);
                }
            }
            if (System.nanoTime() >= deadline || !sleep(AWAIT_POLL_MS)) {
                return unanswered(monitors.get(name));
            }
        }
    }

    private static AwaitGuestResponse unanswered(Optional<GuestMonitor> monitor) {
        return AwaitGuestResponse.newBuilder().setAnswered(false)
                .setGuest(monitor.map(GuestMonitor::status).orElse(GuestStatus.getDefaultInstance())).build();
    }

    private boolean runsHere(String name) {
        return driver.listRunning().stream().anyMatch(h -> h.name().equals(name));
    }

    private boolean executes(String name) {
        try {
            return driver.status(name) == VmStatus.RUNNING;
        } catch (VirtDriverException e) {
            return false; // QEMU does not answer QMP: its guest cannot be executing either
        }
    }

    private FabricException notHere(String name) {
        return FabricException.of(ErrorCode.NOT_FOUND, "vsi '" + name + "' does not run on host " + hostId);
    }

    private static String validName(String name) {
        return VmLaunchSpec.requireValidName(name); // INVALID_ARGUMENT naming the field and the rule
    }

    private static List<String> command(List<String> argv) {
        if (argv.isEmpty()) {
            throw FabricException.invalidArgument("command", "must name the program to run (command[0])");
        }
        if (argv.size() > MAX_ARGS) {
            throw FabricException.invalidArgument("command", "must have at most %d arguments (got %d)", MAX_ARGS,
                    argv.size());
        }
        for (int i = 0; i < argv.size(); i++) {
            String arg = argv.get(i);
            if (arg.indexOf('\0') >= 0) {
                throw FabricException.invalidArgument("command", "command[%d] must not contain a NUL byte", i);
            }
            int bytes = arg.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_ARG_BYTES) {
                throw FabricException.invalidArgument("command", "command[%d] must be at most %d bytes (got %d)", i,
                        MAX_ARG_BYTES, bytes);
            }
        }
        if (argv.get(0).isEmpty()) {
            throw FabricException.invalidArgument("command", "command[0] must name the program to run");
        }
        return List.copyOf(argv);
    }

    /** 0 means the default; shared by both calls. */
    static Duration timeout(long ms) {
        if (ms < 0 || ms > MAX_TIMEOUT_MS) {
            throw FabricException.invalidArgument("timeout_ms", "must be within 0..%d, 0 for %d (got %d)", MAX_TIMEOUT_MS,
                    DEFAULT_TIMEOUT_MS, ms);
        }
        return Duration.ofMillis(ms == 0 ? DEFAULT_TIMEOUT_MS : ms);
    }

    private static boolean sleep(long ms) {
        try {
            Thread.sleep(ms);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
