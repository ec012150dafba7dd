package io.hvfabric.scheduler.network;

import io.hvfabric.common.error.FabricException;
import java.util.function.IntPredicate;

/** The fabric's VNI range: 100 and up (lower ones are left for the underlay's own use), to VXLAN's 24 bits. */
final class Vnis {
    static final int FIRST = 100;

    private Vnis() {}

    /** The lowest VNI from {@link #FIRST} that is not {@code taken}; RESOURCE_EXHAUSTED if none is left. */
    static int lowestFree(IntPredicate taken) {
        for (int vni = FIRST; vni <= Subnet.MAX_VNI; vni++) {
            if (!taken.test(vni)) {
                return vni;
            }
        }
        throw FabricException.resourceExhausted("every VNI of %d..%d is taken", FIRST, Subnet.MAX_VNI);
    }
}
