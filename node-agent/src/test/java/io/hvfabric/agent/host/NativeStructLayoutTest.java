package io.hvfabric.agent.host;

import static org.assertj.core.api.Assertions.assertThat;

import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The jnr struct mappings must match glibc's x86_64 layout (offsets from offsetof on the system headers). */
@Timeout(10)
class NativeStructLayoutTest {

    @Test
    void sysinfoMatchesGlibcLayout() {
        SysinfoStruct s = new SysinfoStruct(NativeLibc.runtime());
        assertThat(Struct.size(s)).isEqualTo(112);
        Pointer memory = Struct.getMemory(s);
        memory.putLong(8, 111);
        memory.putLong(32, 222);
        memory.putLong(40, 333);
        memory.putLong(56, 444);
        memory.putShort(80, (short) 55);
        memory.putInt(104, 4096);
        assertThat(s.loads[0].get()).isEqualTo(111);
        assertThat(s.totalram.get()).isEqualTo(222);
        assertThat(s.freeram.get()).isEqualTo(333);
        assertThat(s.bufferram.get()).isEqualTo(444);
        assertThat(s.procs.get()).isEqualTo(55);
        assertThat(s.memUnit.get()).isEqualTo(4096);
    }

    @Test
    void statvfsMatchesGlibcLayout() {
        StatvfsStruct s = new StatvfsStruct(NativeLibc.runtime());
        assertThat(Struct.size(s)).isEqualTo(112);
        Pointer memory = Struct.getMemory(s);
        memory.putLong(8, 4096);
        memory.putLong(16, 1000);
        memory.putLong(32, 600);
        memory.putLong(80, 255);
        assertThat(s.fFrsize.get()).isEqualTo(4096);
        assertThat(s.fBlocks.get()).isEqualTo(1000);
        assertThat(s.fBavail.get()).isEqualTo(600);
        assertThat(s.fNamemax.get()).isEqualTo(255);
    }

    @Test
    void errnoIsDescribedByName() {
        assertThat(NativeLibc.describeErrno(25)).startsWith("ENOTTY");
        assertThat(NativeLibc.describeErrno(99999)).isEqualTo("errno 99999");
    }
}
