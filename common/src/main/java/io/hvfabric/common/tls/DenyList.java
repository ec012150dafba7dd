package io.hvfabric.common.tls;

import io.hvfabric.common.error.FabricException;
import java.util.Optional;

/**
 * Certificates refused whatever their role, by serial: the revoked ones. Schedulers read theirs from etcd, agents
 * learn theirs from the scheduler. A revoked certificate still completes the TLS handshake (the CA signed it); every
 * call it makes is refused as the call starts.
 */
@FunctionalInterface
public interface DenyList {
    DenyList EMPTY = serial -> false;

    boolean contains(CertificateSerial serial);

    /** UNAUTHENTICATED, "certificate serial X is revoked", when {@code serial} is on the list; nothing otherwise. */
    default void admit(Optional<CertificateSerial> serial) {
        if (serial.isPresent() && contains(serial.get())) {
            throw FabricException.unauthenticated("certificate serial %s is revoked", serial.get().hex());
        }
    }
}
