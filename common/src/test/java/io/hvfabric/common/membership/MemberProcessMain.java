package io.hvfabric.common.membership;

import java.util.List;
import java.util.Optional;

/**
 * A cluster member in its own JVM, so a test can kill it with SIGKILL: no graceful leave, no shutdown hooks, exactly
 * like a crashed agent. Args: bindHost port kind id seed.
 */
public final class MemberProcessMain {
    private MemberProcessMain() {}

    public static void main(String[] args) throws InterruptedException {
        ClusterMembership membership = ClusterMembership.start(
                MembershipConfig.of(args[0], Integer.parseInt(args[1]), args[2], args[3], List.of(args[4]),
                        Optional.empty()));
        System.out.println("started " + membership.selfAddress());
        Thread.sleep(Long.MAX_VALUE);
    }
}
