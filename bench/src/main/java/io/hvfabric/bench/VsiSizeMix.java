package io.hvfabric.bench;

import io.hvfabric.proto.v1.VsiSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A reproducible list of VSI sizes: vCPUs uniform in 1..8, memory uniform over 512 MiB..16 GiB powers of two. */
public final class VsiSizeMix {
    static final long[] MEMORY_MIB = {512, 1024, 2048, 4096, 8192, 16384};
    static final int MAX_VCPUS = 8;

    private VsiSizeMix() {
    }

    public static List<VsiSpec> draw(String namePrefix, int count, long seed) {
        Random random = new Random(seed);
        List<VsiSpec> specs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            specs.add(VsiSpec.newBuilder()
                    .setName(namePrefix + "-" + i)
                    .setVcpus(1 + random.nextInt(MAX_VCPUS))
                    .setMemoryMib(MEMORY_MIB[random.nextInt(MEMORY_MIB.length)])
                    .setImage("default")
                    .build());
        }
        return specs;
    }
}
