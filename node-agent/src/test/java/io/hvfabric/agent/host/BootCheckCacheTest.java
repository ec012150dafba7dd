package io.hvfabric.agent.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class BootCheckCacheTest {
    @TempDir
    Path dir;

    @Test
    void aSecondAskReadsTheStoredAnswerInsteadOfBootingAgain() throws Exception {
        BootCheckCache cache = new BootCheckCache(dir.resolve("accel"));
        AtomicInteger boots = new AtomicInteger();
        BootCheckResult measured = new BootCheckResult(false, "no kernel output within 10000 ms", 10003, false);

        BootCheckResult first = cache.get("k1", () -> { boots.incrementAndGet(); return measured; });
        BootCheckResult second = new BootCheckCache(dir.resolve("accel"))
                .get("k1", () -> { boots.incrementAndGet(); return measured; });

        assertThat(first).isEqualTo(measured);
        assertThat(second).isEqualTo(measured.fromCache());
        assertThat(second.describe()).contains("cached");
        assertThat(boots).hasValue(1);
    }

    @Test
    void anyChangedFactOrKernelByteChangesTheKey() throws Exception {
        Path kernel = Files.write(dir.resolve("vmlinuz"), new byte[] {1, 2, 3});
        String key = BootCheckCache.key(List.of("6.18.0", "kvm_pvm", "7.2.0"), kernel);
        assertThat(BootCheckCache.key(List.of("6.18.0", "kvm_pvm", "7.2.0"), kernel)).isEqualTo(key);
        assertThat(BootCheckCache.key(List.of("6.18.0", "kvm_intel", "7.2.0"), kernel)).isNotEqualTo(key);
        Files.write(kernel, new byte[] {1, 2, 4});
        assertThat(BootCheckCache.key(List.of("6.18.0", "kvm_pvm", "7.2.0"), kernel)).isNotEqualTo(key);
    }

    @Test
    void aTornEntryIsMeasuredAgain() throws Exception {
        Path accel = Files.createDirectories(dir.resolve("accel"));
        Files.writeString(accel.resolve("kvm-boot-k2.properties"), "booted=true\n");
        BootCheckResult measured = new BootCheckResult(true, "serial console printed 'Linux version'", 300, false);
        assertThat(new BootCheckCache(accel).get("k2", () -> measured)).isEqualTo(measured);
    }
}
