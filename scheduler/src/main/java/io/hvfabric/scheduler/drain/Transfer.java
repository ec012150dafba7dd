package io.hvfabric.scheduler.drain;

/** A live migration's use of the network: which VSI goes from which host to which, at what bandwidth. */
public record Transfer(String vsiName, String fromHost, String toHost, long mbps) {

    public Transfer {
        if (vsiName == null || vsiName.isBlank()) {
            throw new IllegalArgumentException("Transfer.vsiName must be non-blank");
        }
        if (fromHost == null || toHost == null || fromHost.equals(toHost)) {
            throw new IllegalArgumentException("Transfer of vsi '" + vsiName
                    + "': fromHost and toHost must be set and differ, got '" + fromHost + "' -> '" + toHost + "'");
        }
        if (mbps < 1) {
            throw new IllegalArgumentException("Transfer.mbps of vsi '" + vsiName + "' must be >= 1, got " + mbps);
        }
    }
}
