package io.hvfabric.agent.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The signal plumbing the kick relies on, minus KVM: block on one thread, send to it, see it held pending. */
@Timeout(10)
class VcpuKickerTest {

    @Test
    void kickSignalToABlockingThreadStaysPendingAndHarmless() throws Exception {
        CompletableFuture<Long> ready = new CompletableFuture<>();
        CompletableFuture<Void> sent = new CompletableFuture<>();
        CompletableFuture<Boolean> pendingSeen = new CompletableFuture<>();
        CompletableFuture<Boolean> drained = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                if (VcpuKicker.blockKickSignalOnThisThread() == null || !kickSignalIn(currentMask())) {
                    ready.completeExceptionally(new AssertionError("SIGUSR1 not blocked"));
                    return;
                }
                ready.complete(NativeLibc.libc().pthread_self());
                sent.get(5, TimeUnit.SECONDS);
                Pointer pending = Memory.allocateDirect(NativeLibc.runtime(), LinuxLibc.GLIBC_SIGSET_BYTES, true);
                NativeLibc.libc().sigpending(pending);
                pendingSeen.complete(kickSignalIn(pending));
            } catch (Exception | Error e) {
                ready.completeExceptionally(e);
                pendingSeen.completeExceptionally(e);
            } finally {
                // HotSpot unblocks the signal when the thread exits: a pending SIGUSR1 would kill the test JVM.
                drained.complete(VcpuKicker.drainKickSignalOnThisThread());
            }
        });
        thread.start();
        long target = ready.get(5, TimeUnit.SECONDS);
        assertThat(NativeLibc.libc().pthread_kill(target, LinuxLibc.SIGUSR1)).isZero();
        sent.complete(null);
        assertThat(pendingSeen.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(drained.get(5, TimeUnit.SECONDS)).isTrue();
        thread.join(5_000);
        assertThat(thread.isAlive()).isFalse();
    }

    @Test
    void drainWithNothingPendingReportsNothing() throws Exception {
        CompletableFuture<Boolean> drained = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            VcpuKicker.blockKickSignalOnThisThread();
            drained.complete(VcpuKicker.drainKickSignalOnThisThread());
        });
        thread.start();
        assertThat(drained.get(5, TimeUnit.SECONDS)).isFalse();
        thread.join(5_000);
    }

    @Test
    void kickWithoutArmingSendsNothing() {
        VcpuKicker kicker = new VcpuKicker();
        assertThat(kicker.kick()).isFalse();
        assertThat(kicker.wasKicked()).isTrue();
    }

    private static Pointer currentMask() {
        Pointer mask = Memory.allocateDirect(NativeLibc.runtime(), LinuxLibc.GLIBC_SIGSET_BYTES, true);
        NativeLibc.libc().pthread_sigmask(LinuxLibc.SIG_BLOCK, null, mask);
        return mask;
    }

    private static boolean kickSignalIn(Pointer set) {
        return (set.getLong(0) & VcpuKicker.kickSignalBit()) != 0;
    }
}
