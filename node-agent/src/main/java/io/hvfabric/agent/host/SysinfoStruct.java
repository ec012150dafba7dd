package io.hvfabric.agent.host;

import jnr.ffi.NativeType;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;

/** {@code struct sysinfo} (sys/sysinfo.h), x86_64 layout: 112 bytes. */
public final class SysinfoStruct extends Struct {
    /** Load averages are fixed point with this many fraction bits. */
    public static final int SI_LOAD_SHIFT = 16;

    public final SignedLong uptime = new SignedLong();
    public final UnsignedLong[] loads = array(new UnsignedLong[3]);
    public final UnsignedLong totalram = new UnsignedLong();
    public final UnsignedLong freeram = new UnsignedLong();
    public final UnsignedLong sharedram = new UnsignedLong();
    public final UnsignedLong bufferram = new UnsignedLong();
    public final UnsignedLong totalswap = new UnsignedLong();
    public final UnsignedLong freeswap = new UnsignedLong();
    public final Unsigned16 procs = new Unsigned16();
    public final Unsigned16 pad = new Unsigned16();
    public final UnsignedLong totalhigh = new UnsignedLong();
    public final UnsignedLong freehigh = new UnsignedLong();
    public final Unsigned32 memUnit = new Unsigned32();
    // glibc's trailing char _f[20 - 2*sizeof(long) - sizeof(int)] is empty on LP64; 4 bytes of tail padding remain.
    private final Padding tail = new Padding(NativeType.UCHAR, 4);

    public SysinfoStruct(Runtime runtime) {
        super(runtime);
    }
}
