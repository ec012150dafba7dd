package io.hvfabric.agent.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CpuAffinityTest {

    @Test
    void processCountMatchesCpusAllowedList() throws Exception {
        int fromStatus = countCpuList(cpusAllowedList());
        int fromAffinity = CpuAffinity.allowedCpusOfProcess();
        assertThat(fromAffinity).isEqualTo(fromStatus);
        // The JVM may lower its count for a cgroup CPU quota, never raise it above the affinity mask.
        assertThat(Runtime.getRuntime().availableProcessors()).isBetween(1, fromAffinity);
    }

    @Test
    void threadPinnedToOneCpuCountsOne() throws Exception {
        // A fresh thread: its affinity change dies with it and cannot leak into other tests.
        CompletableFuture<Integer> pinned = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                int firstCpu = firstCpu(cpusAllowedList());
                Pointer mask = Memory.allocateDirect(NativeLibc.runtime(), 128, true);
                mask.putByte(firstCpu / 8, (byte) (1 << (firstCpu % 8)));
                if (NativeLibc.libc().sched_setaffinity(0, 128, mask) != 0) {
                    throw SyscallException.last("sched_setaffinity");
                }
                pinned.complete(CpuAffinity.allowedCpus(0));
            } catch (Exception | Error e) {
                pinned.completeExceptionally(e);
            }
        });
        thread.start();
        assertThat(pinned.get()).isEqualTo(1);
        thread.join();
    }

    private static String cpusAllowedList() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("Cpus_allowed_list:"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst()
                .orElseThrow();
    }

    static int countCpuList(String list) {
        int count = 0;
        for (String part : list.split(",")) {
            String[] range = part.split("-");
            int from = Integer.parseInt(range[0]);
            int to = range.length == 2 ? Integer.parseInt(range[1]) : from;
            count += to - from + 1;
        }
        return count;
    }

    private static int firstCpu(String list) {
        return Integer.parseInt(list.split("[,-]")[0]);
    }

    @Test
    void cpuListParserUnderstandsRangesAndSingles() {
        assertThat(countCpuList("0-1")).isEqualTo(2);
        assertThat(countCpuList("0,2-3,7")).isEqualTo(4);
    }
}
