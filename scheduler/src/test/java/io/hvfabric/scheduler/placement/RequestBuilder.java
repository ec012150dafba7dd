package io.hvfabric.scheduler.placement;

import io.hvfabric.scheduler.placement.api.Capacity;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import java.util.HashSet;
import java.util.Set;

/** Fluent test builder: a 2 vCPU, 4 GiB, 20 GiB disk VSI without constraints. */
public final class RequestBuilder {

    private final String vsiName;
    private Capacity demand = Capacity.of(2, 4_096, 20, 0);
    private String antiAffinityGroup;
    private String requiredHost;
    private String requiredAccelerator;
    private String requiredCpuModel;
    private final Set<String> excluded = new HashSet<>();
    private int networkMtu;

    private RequestBuilder(String vsiName) {
        this.vsiName = vsiName;
    }

    public static RequestBuilder vsi(String name) {
        return new RequestBuilder(name);
    }

    public RequestBuilder demand(int vcpus, long memoryMib, long diskGib, long nicMbps) {
        demand = Capacity.of(vcpus, memoryMib, diskGib, nicMbps);
        return this;
    }

    public RequestBuilder antiAffinityGroup(String value) {
        antiAffinityGroup = value;
        return this;
    }

    public RequestBuilder requiredHost(String value) {
        requiredHost = value;
        return this;
    }

    public RequestBuilder requiredAccelerator(String value) {
        requiredAccelerator = value;
        return this;
    }

    public RequestBuilder requiredCpuModel(String value) {
        requiredCpuModel = value;
        return this;
    }

    public RequestBuilder excluding(String hostId) {
        excluded.add(hostId);
        return this;
    }

    /** The VSI has vNICs on networks whose largest MTU is {@code mtu}. */
    public RequestBuilder networkMtu(int mtu) {
        networkMtu = mtu;
        return this;
    }

    public PlacementRequest build() {
        return new PlacementRequest(vsiName, demand, antiAffinityGroup, requiredHost, requiredAccelerator,
                requiredCpuModel, excluded, networkMtu);
    }
}
