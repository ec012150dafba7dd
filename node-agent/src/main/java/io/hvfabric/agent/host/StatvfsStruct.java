package io.hvfabric.agent.host;

import jnr.ffi.Runtime;
import jnr.ffi.Struct;

/** {@code struct statvfs} (sys/statvfs.h), glibc x86_64 layout: 112 bytes. */
public final class StatvfsStruct extends Struct {
    public final UnsignedLong fBsize = new UnsignedLong();
    public final UnsignedLong fFrsize = new UnsignedLong();
    public final Unsigned64 fBlocks = new Unsigned64();
    public final Unsigned64 fBfree = new Unsigned64();
    public final Unsigned64 fBavail = new Unsigned64();
    public final Unsigned64 fFiles = new Unsigned64();
    public final Unsigned64 fFfree = new Unsigned64();
    public final Unsigned64 fFavail = new Unsigned64();
    public final UnsignedLong fFsid = new UnsignedLong();
    public final UnsignedLong fFlag = new UnsignedLong();
    public final UnsignedLong fNamemax = new UnsignedLong();
    private final Signed32[] spare = array(new Signed32[6]);

    public StatvfsStruct(Runtime runtime) {
        super(runtime);
    }
}
