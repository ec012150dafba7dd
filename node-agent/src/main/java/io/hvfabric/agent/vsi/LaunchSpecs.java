package io.hvfabric.agent.vsi;

import io.hvfabric.agent.driver.Accelerator;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.proto.v1.VsiAssignment;
import io.hvfabric.proto.v1.VsiSpec;
import java.nio.file.Files;
import java.nio.file.Path;

/** Turns an assignment from the scheduler into a launch spec for this host's driver. */
public final class LaunchSpecs {
    private final Accelerator accelerator;
    private final String cpuModel;
    private final String machineType;

    public LaunchSpecs(Accelerator accelerator, String cpuModel, String machineType) {
        this.accelerator = accelerator;
        this.cpuModel = cpuModel;
        this.machineType = machineType;
    }

    /** @throws IllegalStateException naming the missing file when the image is not on this host */
    public VmLaunchSpec forAssignment(VsiAssignment assignment) {
        VsiSpec spec = assignment.getSpec();
        Path kernel = Path.of(assignment.getImage().getKernel());
        Path initrd = Path.of(assignment.getImage().getInitrd());
        for (Path file : new Path[] {kernel, initrd}) {
            if (!Files.isReadable(file)) {
                throw new IllegalStateException("image '" + assignment.getImage().getName() + "': " + file
                        + " is missing on this host (run images/build-image)");
            }
        }
        return VmLaunchSpec.builder()
                .name(spec.getName())
                .vcpus(spec.getVcpus())
                .memoryMib(spec.getMemoryMib())
                .kernel(kernel)
                .initrd(initrd)
                .cmdline(VmLaunchSpec.kernelCmdline(assignment.getImage().getCmdline(), spec.getKernelArgs(),
                        spec.getName()))
                .accelerator(accelerator)
                .cpuModel(cpuModel)
                .machineType(machineType)
                .build();
    }
}
