package io.hvfabric.agent.cgroup;

/** Which cgroup hierarchy a host offers for CPU and memory control. */
public enum CgroupVersion {
    V1("v1"),
    V2("v2"),
    NONE("none");

    private final String label;

    CgroupVersion(String label) {
        this.label = label;
    }

    /** "v1", "v2" or "none", as reported to the scheduler and in logs. */
    public String label() {
        return label;
    }
}
