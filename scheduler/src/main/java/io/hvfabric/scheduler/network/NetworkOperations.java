package io.hvfabric.scheduler.network;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.Network;
import io.hvfabric.proto.v1.NetworkAllocation;
import io.hvfabric.proto.v1.NetworkRef;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.leader.loop.Decider;
import io.hvfabric.scheduler.leader.loop.Records;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.Times;
import io.hvfabric.scheduler.tenants.TenantFence;
import io.hvfabric.scheduler.view.ClusterView;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The leader's network decisions, on the leader loop like VSI decisions. A create claims its VNI with a key of its
 * own ({@code vnis/<vni>}), read absent in the decision and so compared absent at commit: two creates, concurrent or
 * from two terms, can never both take one VNI. A delete is refused while the network's allocation holds an address,
 * and removes the network, its allocation and its VNI claim in one transaction; VSI creates read the same
 * allocation, so a delete and a vNIC's create cannot both commit.
 */
public final class NetworkOperations {
    private static final int NAMES_SHOWN = 5;

    private final ClusterView view;
    private final Keys keys;
    private final Decider decider;

    public NetworkOperations(ClusterView view, Keys keys, Decider decider) {
        this.view = view;
        this.keys = keys;
        this.decider = decider;
    }

    /**
     * Validates {@code requested} (its tenant as the caller's principal allows: see the gRPC layer) and records it
     * with the lowest free VNI and its gateway address. NOT_FOUND without the tenant, ALREADY_EXISTS for a name the
     * tenant has.
     */
    public Network create(Term term, Network requested) {
        Network valid = NetworkSpecs.validate(requested);
        NetworkId id = NetworkId.of(valid);
        Subnet subnet = Subnet.parse("network.cidr", valid.getCidr());
        return decider.decide(term, context -> {
            Records records = new Records(context, keys);
            if (!id.isSystem()) {
                TenantFence.require(records, id.tenant());
            }
            if (records.get(Keys.Kind.NETWORK, id.key(), Network.getDefaultInstance()).isPresent()) {
                throw id.alreadyExists();
            }
            int vni = claimVni(records);
            Network network = valid.toBuilder()
                    .setVni(vni)
                    .setGatewayIp(subnet.gatewayIp())
                    .setCreatedAt(Times.now())
                    .build();
            records.put(Keys.Kind.NETWORK, id.key(), network);
            records.put(Keys.Kind.NETWORK_ALLOCATION, id.key(), NetworkAllocation.getDefaultInstance());
            records.put(Keys.Kind.VNI, Integer.toString(vni),
                    NetworkRef.newBuilder().setTenant(id.tenantKey()).setName(id.name()).build());
            return network;
        });
    }

    /** Removes the network; FAILED_PRECONDITION naming (some of) the VSIs while any of its addresses is in use. */
    public void delete(Term term, NetworkId id) {
        decider.decide(term, context -> {
            Records records = new Records(context, keys);
            Network network = records.get(Keys.Kind.NETWORK, id.key(), Network.getDefaultInstance())
                    .orElseThrow(id::notFound);
            NetworkAllocation allocation = records.get(Keys.Kind.NETWORK_ALLOCATION, id.key(),
                    NetworkAllocation.getDefaultInstance()).orElse(NetworkAllocation.getDefaultInstance());
            if (allocation.getAddressesCount() > 0) {
                TreeSet<String> vsis = new TreeSet<>();
                allocation.getAddressesMap().values().forEach(owner -> vsis.add(
                        owner.substring(0, Math.max(0, owner.lastIndexOf('/')))));
                throw FabricException.failedPrecondition("%s has %d vNIC%s (vsi %s); delete them first",
                        id.describe(), allocation.getAddressesCount(), allocation.getAddressesCount() == 1 ? "" : "s",
                        shortList(vsis));
            }
            records.delete(Keys.Kind.NETWORK, id.key());
            records.delete(Keys.Kind.NETWORK_ALLOCATION, id.key());
            records.delete(Keys.Kind.VNI, Integer.toString(network.getVni()));
            return null;
        });
    }

    /**
     * The lowest VNI no network holds, as the view and the loop's pending writes show them. The claim key is read,
     * so the commit compares it absent: a VNI the view did not show as taken yet cannot be taken twice.
     */
    private int claimVni(Records records) {
        Set<Integer> taken = new HashSet<>();
        for (String vni : view.claimedVnis()) {
            parse(vni).ifPresent(taken::add);
        }
        records.pending(Keys.Kind.VNI, NetworkRef.getDefaultInstance()).forEach((vni, claim) ->
                parse(vni).ifPresent(v -> {
                    if (claim.isPresent()) {
                        taken.add(v);
                    } else {
                        taken.remove(v);
                    }
                }));
        while (true) {
            int vni = Vnis.lowestFree(taken::contains);
            if (records.get(Keys.Kind.VNI, Integer.toString(vni), NetworkRef.getDefaultInstance()).isEmpty()) {
                return vni;
            }
            taken.add(vni);
        }
    }

    private static Optional<Integer> parse(String vni) {
        try {
            return Optional.of(Integer.parseInt(vni));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String shortList(TreeSet<String> names) {
        List<String> shown = names.stream().limit(NAMES_SHOWN).toList();
        String list = String.join(", ", shown);
        return names.size() > NAMES_SHOWN ? list + " and " + (names.size() - NAMES_SHOWN) + " more" : list;
    }
}
