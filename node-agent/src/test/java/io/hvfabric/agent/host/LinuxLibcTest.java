package io.hvfabric.agent.host;

import static org.assertj.core.api.Assertions.assertThat;

import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bindings the KVM probe depends on, exercised without KVM. */
@Timeout(10)
class LinuxLibcTest {
    private static final int LENGTH = 0x8000;
    private final LinuxLibc libc = NativeLibc.libc();

    @Test
    void anonymousMappingIsWritableAndUnmaps() {
        long address = libc.mmap(null, LENGTH, LinuxLibc.PROT_READ | LinuxLibc.PROT_WRITE,
                LinuxLibc.MAP_PRIVATE | LinuxLibc.MAP_ANONYMOUS | LinuxLibc.MAP_NORESERVE, -1, 0);
        assertThat(address).as("mmap failed: %s", NativeLibc.describeErrno(NativeLibc.errno()))
                .isNotEqualTo(LinuxLibc.MAP_FAILED);
        try {
            Pointer memory = Pointer.wrap(NativeLibc.runtime(), address);
            assertThat(memory.getLong(LENGTH - 8)).as("anonymous memory starts zeroed").isZero();
            memory.putLong(LENGTH - 8, 0x5A5A_0000_1234L);
            assertThat(memory.getLong(LENGTH - 8)).isEqualTo(0x5A5A_0000_1234L);
        } finally {
            assertThat(libc.munmap(address, LENGTH)).isZero();
        }
    }

    @Test
    void failedMmapReportsMapFailedAndErrno() {
        long address = libc.mmap(null, 0, LinuxLibc.PROT_READ, LinuxLibc.MAP_PRIVATE | LinuxLibc.MAP_ANONYMOUS, -1, 0);
        assertThat(address).isEqualTo(LinuxLibc.MAP_FAILED);
        assertThat(NativeLibc.errno()).isEqualTo(22); // EINVAL: zero length
    }

    @Test
    void ioctlWithPointerArgumentReachesTheKernel() throws Exception {
        // FIONREAD (0x541B) on a fresh /dev/null fd is refused by the null driver: the call made it to the kernel.
        int fd = libc.open("/dev/null", LinuxLibc.O_RDWR | LinuxLibc.O_CLOEXEC);
        assertThat(fd).isNotNegative();
        try {
            Pointer out = jnr.ffi.Memory.allocateDirect(NativeLibc.runtime(), 4, true);
            assertThat(libc.ioctl(fd, 0x541BL, out)).isEqualTo(-1);
            assertThat(NativeLibc.errno()).isEqualTo(25); // ENOTTY
        } finally {
            assertThat(libc.close(fd)).isZero();
        }
    }
}
