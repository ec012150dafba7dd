package io.hvfabric.proto;

import io.grpc.Metadata;

/**
 * Read-your-writes across scheduler replicas. Every replica answers from its own view of etcd, which may lag a write
 * another replica (the leader) just committed. So every answer carries, in the trailer {@link #ANSWERED_AT}, the etcd
 * revision its replica's view had applied; a client sends the highest revision it has seen as {@link #AT_LEAST} on its
 * next calls, and the replica that receives one waits (bounded) until its view has applied that revision before it
 * answers. Without it, `hvctl host drain --wait` could be told its own new drain was "not found" by a replica a few
 * milliseconds behind.
 */
public final class SessionRevision {
    /** Trailer of every OperatorService answer: the view revision it was answered at (decimal). */
    public static final Metadata.Key<String> ANSWERED_AT =
            Metadata.Key.of("hvf-revision", Metadata.ASCII_STRING_MARSHALLER);
    /** Request header: answer only from a view at or after this revision (decimal). */
    public static final Metadata.Key<String> AT_LEAST =
            Metadata.Key.of("hvf-min-revision", Metadata.ASCII_STRING_MARSHALLER);

    private SessionRevision() {}

    /** The revision in a header value, or 0 when absent or malformed (a bad value only loses the guarantee). */
    public static long parse(String value) {
        if (value == null || value.isEmpty() || value.length() > 19) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(value));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
