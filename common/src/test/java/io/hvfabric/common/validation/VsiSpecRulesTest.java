package io.hvfabric.common.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.MigrateVsiRequest;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.VsiSpec;
import java.util.Collections;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The security review's accepted-but-malformed requests, each refused now with the field and the rule. */
class VsiSpecRulesTest {
    private static VsiSpec.Builder valid() {
        return VsiSpec.newBuilder().setName("web-1").setVcpus(2).setMemoryMib(512).setImage("default")
                .setKernelArgs("hvf.dirty=64 quiet")
                .addNics(NicSpec.newBuilder().setNetwork("blue").setMac("52:54:00:12:34:56").setMbps(1000));
    }

    static void assertRefused(ThrowingCallable call, String expectedStart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(FabricException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.getMessage()).startsWith(expectedStart).hasSizeLessThanOrEqualTo(300);
        });
    }

    @Test
    void aWellFormedSpecPasses() {
        VsiSpec spec = valid().setMaxDowntimeMs(300).setMaxMigrationMs(600_000).setDiskGib(20).build();
        assertThat(VsiSpecRules.validate(spec)).isSameAs(spec);
        assertThat(VsiSpecRules.validate(VsiSpec.newBuilder().setName("a").setVcpus(1).setMemoryMib(64).build()))
                .isNotNull();
    }

    @Test
    void kernelArgsArePrintableAsciiIncludingNoC1ControlCharacter() {
        assertRefused(() -> VsiSpecRules.validate(valid().setKernelArgs("quiet \u0085init=/bin/sh").build()),
                "field 'kernel_args': must be printable ASCII (0x20-0x7e), without control characters (got U+0085");
        assertRefused(() -> VsiSpecRules.validate(valid().setKernelArgs("a\u009bb").build()), "field 'kernel_args'");
        assertRefused(() -> VsiSpecRules.validate(valid().setKernelArgs("a\tb").build()), "field 'kernel_args'");
        assertRefused(() -> VsiSpecRules.validate(valid().setKernelArgs("x".repeat(1025)).build()),
                "field 'kernel_args': must be at most 1024 characters (got 1025)");
        assertThat(VsiSpecRules.validate(valid().setKernelArgs("x".repeat(1024)).build())).isNotNull();
    }

    @Test
    void nicsAreAtMostSixteenWithWellFormedUniqueMacsAndBoundedBandwidth() {
        NicSpec nic = NicSpec.newBuilder().setMbps(10).build();
        assertRefused(() -> VsiSpecRules.validate(valid().clearNics().addAllNics(Collections.nCopies(1000, nic))
                .build()), "field 'nics': must hold at most 16 NICs (got 1000)");
        assertThat(VsiSpecRules.validate(valid().clearNics().addAllNics(Collections.nCopies(16, nic)).build()))
                .isNotNull();
        assertRefused(() -> VsiSpecRules.validate(valid().addNics(NicSpec.newBuilder().setMac("zz:zz")).build()),
                "field 'nics[1].mac': must be a lowercase unicast MAC address like 52:54:00:12:34:56 (got 'zz:zz')");
        assertRefused(() -> VsiSpecRules.validate(valid().addNics(NicSpec.newBuilder().setMac("53:54:00:12:34:56"))
                .build()), "field 'nics[1].mac': must be a lowercase unicast MAC");
        assertRefused(() -> VsiSpecRules.validate(valid().addNics(NicSpec.newBuilder().setMac("52:54:00:12:34:56"))
                .build()), "field 'nics[1].mac': must be unique within the VSI");
        assertRefused(() -> VsiSpecRules.validate(valid().addNics(NicSpec.newBuilder().setMbps(-1)).build()),
                "field 'nics[1].mbps': must be within 0..100000 Mbit/s (got -1)");
        assertRefused(() -> VsiSpecRules.validate(valid().addNics(NicSpec.newBuilder().setNetwork("Blue Net"))
                .build()), "field 'nics[1].network': must be a DNS label");
    }

    @Test
    void objectivesAndSizesAreBounded() {
        assertRefused(() -> VsiSpecRules.validate(valid().setMaxDowntimeMs(1L << 62).build()),
                "field 'max_downtime_ms': must be within 0..60000 ms (0: the default) (got 4611686018427387904)");
        assertRefused(() -> VsiSpecRules.validate(valid().setMaxMigrationMs(86_400_001).build()),
                "field 'max_migration_ms': must be within 0..86400000 ms");
        assertRefused(() -> VsiSpecRules.validate(valid().setMemoryMib((1L << 20) + 1).build()),
                "field 'memory_mib': must be within 64..1048576 MiB");
        assertRefused(() -> VsiSpecRules.validate(valid().setDiskGib(Long.MAX_VALUE).build()), "field 'disk_gib'");
        assertRefused(() -> VsiSpecRules.validate(valid().setVcpus(256).build()), "field 'vcpus': must be within 1..255");
    }

    @Test
    void namesAreDnsLabelsAndAHugeOneIsQuotedShort() {
        assertRefused(() -> VsiSpecRules.validate(valid().setName("n".repeat(10_000)).build()),
                "field 'name': must be a DNS label");
        assertRefused(() -> VsiSpecRules.validate(valid().setName("").build()), "field 'name': must be a DNS label");
        assertRefused(() -> VsiSpecRules.validate(valid().setName("web-").build()), "field 'name'");
        assertRefused(() -> VsiSpecRules.validate(valid().setAntiAffinityGroup("a_b").build()),
                "field 'anti_affinity_group'");
        assertRefused(() -> VsiSpecRules.validate(valid().setHost("host\u0000").build()), "field 'host'");
        assertRefused(() -> VsiSpecRules.validate(valid().setImage("../default").build()), "field 'image'");
    }

    @Test
    void migrationRequestsAreBoundedBeforeAnythingIsReserved() {
        MigrateVsiRequest ok = MigrateVsiRequest.newBuilder().setName("web-1").setMaxBandwidthMibps(1_000_000)
                .setMaxDowntimeMs(60_000).setMaxDurationMs(86_400_000).build();
        assertThat(MigrationRules.validate(ok)).isSameAs(ok);
        assertRefused(() -> MigrationRules.validate(ok.toBuilder().setMaxBandwidthMibps(9_000_000_000_000L).build()),
                "field 'max_bandwidth_mibps': must be within 0..1000000 MiB/s (0: uncapped) (got 9000000000000)");
        assertRefused(() -> MigrationRules.validate(ok.toBuilder().setMaxDowntimeMs(-1).build()),
                "field 'max_downtime_ms'");
        assertRefused(() -> MigrationRules.validate(ok.toBuilder().setMaxDurationMs(Long.MAX_VALUE).build()),
                "field 'max_duration_ms'");
        assertRefused(() -> MigrationRules.validate(ok.toBuilder().setName("").build()), "field 'name'");
        assertRefused(() -> MigrationRules.validate(ok.toBuilder().setTo("Host 2").build()), "field 'to'");
    }
}
