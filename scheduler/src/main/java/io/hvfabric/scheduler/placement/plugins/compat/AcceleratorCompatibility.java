package io.hvfabric.scheduler.placement.plugins.compat;

import io.hvfabric.scheduler.placement.api.FilterPlugin;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.PlacementContext;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.Status;

/**
 * When the request names an accelerator or CPU model, the host must match it exactly: QEMU cannot live-migrate a
 * guest between KVM and TCG, nor to a host offering a different guest CPU model.
 */
public final class AcceleratorCompatibility implements FilterPlugin {

    public static final String NAME = "AcceleratorCompatibility";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(PlacementRequest request, HostCandidate host, PlacementContext context) {
        String accelerator = request.requiredAccelerator();
        if (accelerator != null && !accelerator.equals(host.accelerator())) {
            return Status.unresolvable(NAME, "with a different accelerator", () -> "vsi requires accelerator '"
                    + accelerator + "', host runs '" + host.accelerator() + "'");
        }
        String cpuModel = request.requiredCpuModel();
        if (cpuModel != null && !cpuModel.equals(host.cpuModel())) {
            return Status.unresolvable(NAME, "with a different cpu model", () -> "vsi requires cpu model '"
                    + cpuModel + "', host offers '" + host.cpuModel() + "'");
        }
        return Status.success();
    }
}
