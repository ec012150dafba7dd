package io.hvfabric.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.agent.driver.Accelerator;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.agent.driver.VmStatus;
import io.hvfabric.agent.driver.fake.FakeDriver;
import io.hvfabric.agent.link.TermGuard;
import io.hvfabric.agent.migration.MigrationMarkers.Kind;
import io.hvfabric.agent.migration.MigrationSessions.Role;
import io.hvfabric.agent.migration.MigrationSessions.Session;
import io.hvfabric.agent.qmp.QmpClient;
import io.hvfabric.agent.vsi.ImageFiles;
import io.hvfabric.agent.vsi.LaunchSpecs;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.migration.MigrationPolicy;
import io.hvfabric.migration.PolicyConfig;
import io.hvfabric.proto.v1.MigrationControlRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * CancelMigration, ResumeTarget and AbortMigration act only for the migration they name, on the VSI they name: for
 * anything else they are refused and nothing happens to any guest (no QMP command, no state change).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MigrationControlTest {
    @TempDir
    Path runRoot;

    private final MigrationSessions sessions = new MigrationSessions();
    private final AtomicInteger qmpUses = new AtomicInteger();
    private FakeDriver driver;
    private MigrationServiceHandlers handlers;

    @BeforeEach
    void agent() {
        driver = new FakeDriver(runRoot);
        MigrationPolicy policy = new MigrationPolicy(PolicyConfig.defaults());
        QmpAccess qmp = name -> {
            qmpUses.incrementAndGet();
            return new QmpClient(name); // never connected: any command fails, as against a QEMU that went away
        };
        MigrationSource source = new MigrationSource(driver, qmp, Optional.empty(), sessions, policy);
        MigrationTarget target = new MigrationTarget(driver, qmp, new LaunchSpecs(new ImageFiles(runRoot), Accelerator.TCG,
                VmLaunchSpec.DEFAULT_CPU_MODEL, VmLaunchSpec.DEFAULT_MACHINE_TYPE), Optional.empty(), "127.0.0.1",
                sessions, policy);
        handlers = new MigrationServiceHandlers(Optional.of(source), Optional.of(target), new TermGuard());
    }

    @AfterEach
    void close() {
        handlers.close();
    }

    private static MigrationControlRequest call(String migrationId, String name) {
        return MigrationControlRequest.newBuilder().setMigrationId(migrationId).setTerm(1).setName(name).build();
    }

    /** A guest of this host; {@code incoming}: started as a migration target. Its run directory as the driver's. */
    private Path guest(String name, boolean incoming) throws Exception {
        driver.start(new VmLaunchSpec(name, 1, 128, Path.of("/k"), Path.of("/i"), "", Accelerator.TCG,
                VmLaunchSpec.DEFAULT_CPU_MODEL, VmLaunchSpec.DEFAULT_MACHINE_TYPE,
                incoming ? Optional.of("defer") : Optional.empty(), List.of()));
        return Files.createDirectories(runRoot.resolve(name));
    }

    /** vm1 sent by migration m-1, completed and paused (postmigrate) as before the switchover. */
    private void pausedSource() throws Exception {
        MigrationMarkers.mark(guest("vm1", false), Kind.OUTGOING, "m-1");
        driver.pause("vm1", VmStatus.MIGRATED);
    }

    /** vm2 arrived by migration m-2, paused until ResumeTarget. */
    private void arrivedCopy() throws Exception {
        MigrationMarkers.mark(guest("vm2", true), Kind.INCOMING, "m-2");
        driver.completeIncoming("vm2");
        driver.pause("vm2", VmStatus.PAUSED);
    }

    private static void refused(ThrowingCallable call, ErrorCode code, String... mentions) {
        assertThatThrownBy(call).isInstanceOfSatisfying(FabricException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(mentions).endsWith("nothing done");
        });
    }

    @Test
    void anAbortForAnotherMigrationLeavesAPausedSourcePaused() throws Exception {
        pausedSource();

        refused(() -> handlers.abortMigration(call("m-9", "vm1")), ErrorCode.FAILED_PRECONDITION,
                "AbortMigration refused", "vm1", "m-9");
        assertThat(driver.status("vm1")).isEqualTo(VmStatus.MIGRATED);
        assertThat(qmpUses).as("QEMU untouched").hasValue(0);

        assertThat(handlers.abortMigration(call("m-1", "vm1")).getState()).isEqualTo("running");
        assertThat(qmpUses).as("migrate_cancel tried").hasPositiveValue();
    }

    @Test
    void anAbortForAnotherMigrationLeavesAnIncomingGuestAlone() throws Exception {
        MigrationMarkers.mark(guest("vm2", true), Kind.INCOMING, "m-2");
        guest("vm3", true); // waiting for an incoming migration, no marker: nothing proves whose

        refused(() -> handlers.abortMigration(call("m-9", "vm2")), ErrorCode.FAILED_PRECONDITION, "vm2", "m-9");
        refused(() -> handlers.abortMigration(call("m-9", "vm3")), ErrorCode.FAILED_PRECONDITION, "vm3", "m-9");
        assertThat(driver.status("vm2")).isEqualTo(VmStatus.INCOMING);
        assertThat(driver.status("vm3")).isEqualTo(VmStatus.INCOMING);

        assertThat(handlers.abortMigration(call("m-2", "vm2")).getState()).isEqualTo("stopped");
        // Gone already: nothing left to undo.
        refused(() -> handlers.abortMigration(call("m-2", "vm2")), ErrorCode.NOT_FOUND, "vm2 does not run on this host");
    }

    @Test
    void whileAGuestIsBeingReceivedOnlyItsMigrationMayAbortIt() throws Exception {
        guest("vm2", true);
        AtomicInteger cancelled = new AtomicInteger();
        sessions.begin(new Session("m-2", "vm2", Role.TARGET, cancelled::incrementAndGet));

        refused(() -> handlers.abortMigration(call("m-9", "vm2")), ErrorCode.FAILED_PRECONDITION,
                "(it is in target migration m-2)");
        refused(() -> handlers.resumeTarget(call("m-9", "vm2")), ErrorCode.FAILED_PRECONDITION, "ResumeTarget");
        assertThat(cancelled).hasValue(0);
        assertThat(driver.status("vm2")).isEqualTo(VmStatus.INCOMING);

        handlers.abortMigration(call("m-2", "vm2"));
        assertThat(cancelled).hasValue(1);
        assertThat(driver.status("vm2")).isEqualTo(VmStatus.STOPPED);
    }

    @Test
    void resumeTargetRunsOnlyTheCopyThatMigrationBrought() throws Exception {
        arrivedCopy();
        pausedSource();

        refused(() -> handlers.resumeTarget(call("m-9", "vm2")), ErrorCode.FAILED_PRECONDITION, "vm2", "m-9");
        // ResumeTarget sent to the source's host would run a second copy of the guest.
        refused(() -> handlers.resumeTarget(call("m-1", "vm1")), ErrorCode.FAILED_PRECONDITION, "vm1", "m-1");
        assertThat(driver.status("vm2")).isEqualTo(VmStatus.PAUSED);
        assertThat(driver.status("vm1")).isEqualTo(VmStatus.MIGRATED);

        assertThat(handlers.resumeTarget(call("m-2", "vm2")).getState()).isEqualTo("running");
        assertThat(handlers.resumeTarget(call("m-2", "vm2")).getState()).as("a lost reply is retried").isEqualTo("running");
        refused(() -> handlers.abortMigration(call("m-2", "vm2")), ErrorCode.FAILED_PRECONDITION, "vm2");
        assertThat(driver.status("vm2")).as("resumed: past the point of no return").isEqualTo(VmStatus.RUNNING);
    }

    @Test
    void cancelReachesOnlyTheOutgoingMigrationItNames() throws Exception {
        guest("vm1", false);
        AtomicInteger cancelled = new AtomicInteger();
        sessions.begin(new Session("m-1", "vm1", Role.SOURCE, cancelled::incrementAndGet));

        refused(() -> handlers.cancelMigration(call("m-9", "vm1")), ErrorCode.FAILED_PRECONDITION,
                "CancelMigration refused", "(it is in source migration m-1)");
        assertThat(cancelled).hasValue(0);

        assertThat(handlers.cancelMigration(call("m-1", "vm1")).getState()).isEqualTo("running");
        assertThat(cancelled).hasValue(1);
    }

    @Test
    void callsForAGuestThatDoesNotRunHereAreNotFound() {
        Function<String, String> notHere = rpc -> rpc + " refused: VSI ghost does not run on this host";
        refused(() -> handlers.abortMigration(call("m-1", "ghost")), ErrorCode.NOT_FOUND, notHere.apply("AbortMigration"));
        refused(() -> handlers.resumeTarget(call("m-1", "ghost")), ErrorCode.NOT_FOUND, notHere.apply("ResumeTarget"));
        refused(() -> handlers.cancelMigration(call("m-1", "ghost")), ErrorCode.NOT_FOUND,
                notHere.apply("CancelMigration"));
    }

    @Test
    void aMalformedMigrationIdIsAnInvalidArgument() {
        assertThatThrownBy(() -> handlers.abortMigration(call("../m-1", "vm1")))
                .isInstanceOfSatisfying(FabricException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }
}
