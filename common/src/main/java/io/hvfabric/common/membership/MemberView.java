package io.hvfabric.common.membership;

/**
 * One cluster member as the local node sees it.
 *
 * @param address Pekko address, e.g. {@code pekko://hvfabric@10.0.0.5:25520}
 * @param kind its kind role ({@code scheduler}, {@code agent}), empty if it has none
 * @param id its {@code id:<id>} role, empty if it has none
 * @param status Pekko member status: Joining, WeaklyUp, Up, Leaving, Exiting, Down, Removed, PreparingForShutdown,
 *     ReadyForShutdown
 * @param reachable false while the local failure detector (or a peer's, via gossip) suspects it
 */
public record MemberView(String address, String kind, String id, String status, boolean reachable) {
    public static final String REACHABLE = "reachable";
    public static final String UNREACHABLE = "unreachable";
    public static final String ABSENT = "absent";

    public boolean isUp() {
        return "Up".equals(status);
    }
}
