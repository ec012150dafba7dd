package io.hvfabric.cli.output;

import io.hvfabric.proto.v1.ClusterStatus;
import io.hvfabric.proto.v1.Member;
import io.hvfabric.proto.v1.Replica;

/** Table rendering of the cluster status. */
public final class ClusterViews {
    private ClusterViews() {}

    public static String status(ClusterStatus status) {
        StringBuilder text = new StringBuilder(new KeyValueBlock()
                .add("leader", status.getLeader().isEmpty() ? "(none elected)" : status.getLeader() + " (term " + status.getTerm() + ")")
                .add("answered by", status.getAnsweredBy())
                .add("hosts", status.getHostsReady() + " ready of " + status.getHostsTotal())
                .add("vsis", status.getVsisTotal())
                .add("etcd", String.join(", ", status.getEtcdEndpointsList()))
                .render());
        text.append("\nREPLICAS\n");
        Table replicas = new Table("ID", "ADDRESS", "ROLE", "METRICS");
        for (Replica replica : status.getReplicasList()) {
            replicas.row(replica.getId(), replica.getAddress(), replica.getLeader() ? "leader" : "follower",
                    replica.getMetricsAddress());
        }
        text.append(replicas.render());
        text.append("\nMEMBERS\n");
        Table members = new Table("KIND", "ID", "ADDRESS", "STATUS", "REACHABLE");
        for (Member member : status.getMembersList()) {
            members.row(member.getKind(), member.getId(), member.getAddress(), member.getStatus(),
                    member.getReachable() ? "yes" : "NO");
        }
        text.append(members.render());
        return text.toString();
    }
}
