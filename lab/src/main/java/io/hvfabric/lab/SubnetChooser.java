package io.hvfabric.lab;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Picks the k of a free 10.88.k.0/24 for a lab bridge, from what `ip addr` and `ip route` show in use. */
final class SubnetChooser {
    private static final Pattern IN_USE = Pattern.compile("\\b10\\.88\\.(\\d{1,3})\\.\\d{1,3}");
    // A wider route (10.88.0.0/16, 10.0.0.0/8) would shadow every lab subnet; those are left to the operator.

    private SubnetChooser() {}

    static Set<Integer> used(String ipAddrAndRouteOutput) {
        Set<Integer> used = new TreeSet<>();
        Matcher m = IN_USE.matcher(ipAddrAndRouteOutput);
        while (m.find()) {
            used.add(Integer.parseInt(m.group(1)));
        }
        return used;
    }

    /** The lowest k in 1..250 not in use. */
    static int choose(String ipAddrAndRouteOutput) {
        Set<Integer> used = used(ipAddrAndRouteOutput);
        for (int k = 1; k <= 250; k++) {
            if (!used.contains(k)) {
                return k;
            }
        }
        throw new LabException("subnet: every 10.88.k.0/24 with k in 1..250 is in use; pass --subnet");
    }
}
