package io.hvfabric.agent.host;

import java.nio.file.Path;
import jnr.ffi.Struct;

/** Size and space available to unprivileged users of the filesystem holding a path, from statvfs. */
public record DiskSpace(long totalBytes, long availableBytes) {
    private static final long GIB = 1L << 30;

    public static DiskSpace of(Path path) throws SyscallException {
        StatvfsStruct st = new StatvfsStruct(NativeLibc.runtime());
        if (NativeLibc.libc().statvfs(path.toString(), st) != 0) {
            throw SyscallException.last("statvfs(" + path + ")");
        }
        long fragment = st.fFrsize.get();
        // f_bavail, not f_bfree: blocks reserved for root are not space the agent can give to guests.
        return new DiskSpace(st.fBlocks.get() * fragment, st.fBavail.get() * fragment);
    }

    public long totalGib() {
        return totalBytes / GIB;
    }

    public long availableGib() {
        return availableBytes / GIB;
    }

    static int structSize() {
        return Struct.size(new StatvfsStruct(NativeLibc.runtime()));
    }
}
