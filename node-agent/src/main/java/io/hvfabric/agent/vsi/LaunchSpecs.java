package io.hvfabric.agent.vsi;

import io.hvfabric.agent.driver.Accelerator;
import io.hvfabric.agent.driver.NicSpec;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.agent.volume.VolumeFiles;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.validation.ImageRules;
import io.hvfabric.common.validation.VsiSpecRules;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.VsiAssignment;
import io.hvfabric.proto.v1.VsiSpec;
import java.util.List;
import java.util.Optional;

/**
 * Turns an assignment from the scheduler into a launch spec for this host's driver. The spec and the image go through
 * the same rules the scheduler applied ({@link VsiSpecRules}, {@link ImageRules}), so the agent refuses nothing the
 * scheduler accepted and launches nothing it would have refused; the image's files must then really be inside this
 * host's image directory ({@link ImageFiles}).
 */
public final class LaunchSpecs {
    private final ImageFiles images;
    private final Accelerator accelerator;
    private final String cpuModel;
    private final String machineType;

    private final Optional<VolumeFiles> volumes;

    /** Without local volumes: a VSI with disks is refused. */
    public LaunchSpecs(ImageFiles images, Accelerator accelerator, String cpuModel, String machineType) {
        this(images, accelerator, cpuModel, machineType, Optional.empty());
    }

    /** @param volumes where this host keeps its local volumes' images */
    public LaunchSpecs(ImageFiles images, Accelerator accelerator, String cpuModel, String machineType,
                       Optional<VolumeFiles> volumes) {
        this.images = images;
        this.accelerator = accelerator;
        this.cpuModel = cpuModel;
        this.machineType = machineType;
        this.volumes = volumes;
    }

    public Optional<VolumeFiles> volumes() {
        return volumes;
    }

    /**
     * Without NICs: for a VSI that has none, or where the network layer plugs nothing.
     *
     * @throws io.hvfabric.common.error.FabricException naming the field, or the image file that cannot be used
     */
    public VmLaunchSpec forAssignment(VsiAssignment assignment) {
        return forAssignment(assignment, List.of());
    }

    /**
     * @param nics the taps the network layer made for the VSI's vNICs ({@code VsiNetworking.plug}), in nic order, so
     *     their PCI slots are the same on every host and across a migration
     * @throws io.hvfabric.common.error.FabricException naming the field, or the image file that cannot be used
     */
    public VmLaunchSpec forAssignment(VsiAssignment assignment, List<NicSpec> nics) {
        VsiSpec spec = VsiSpecRules.validate(assignment.getSpec());
        Image image = ImageRules.validate(assignment.getImage(), images.root());
        VmLaunchSpec.Builder builder = VmLaunchSpec.builder();
        nics.forEach(builder::nic);
        for (int i = 0; i < spec.getDisksCount(); i++) {
            VolumeFiles files = volumes.orElseThrow(() -> FabricException.failedPrecondition(
                    "vsi '%s' has disks, and this agent keeps no local volumes", spec.getName()));
            builder.disk(files.attachment(i, spec.getDisks(i)));
        }
        return builder
                .name(spec.getName())
                .vcpus(spec.getVcpus())
                .memoryMib(spec.getMemoryMib())
                .kernel(images.kernel(image))
                .initrd(images.initrd(image))
                .cmdline(VmLaunchSpec.kernelCmdline(image.getCmdline(), spec.getKernelArgs(), spec.getName()))
                .accelerator(accelerator)
                .cpuModel(cpuModel)
                .machineType(machineType)
                .build();
    }
}
