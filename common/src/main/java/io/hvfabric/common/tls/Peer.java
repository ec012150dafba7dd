package io.hvfabric.common.tls;

/**
 * Who is calling: the client certificate's CN (name) and OU (role). Over plaintext ({@code --insecure}) the peer is
 * {@link #INSECURE}, which every role check lets through.
 */
public record Peer(String name, String role, boolean insecure) {
    public static final Peer INSECURE = new Peer("insecure", "insecure", true);

    public static Peer authenticated(String name, String role) {
        return new Peer(name, role, false);
    }
}
