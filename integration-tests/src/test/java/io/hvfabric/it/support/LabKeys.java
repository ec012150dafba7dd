package io.hvfabric.it.support;

import io.hvfabric.common.tls.TlsFiles;
import io.hvfabric.lab.Lab;

/** The TLS files of a lab principal, from the key directory the lab gave it. */
public final class LabKeys {
    private LabKeys() {}

    public static TlsFiles of(Lab lab, String name) {
        return TlsFiles.inDir(lab.keyDir(name), name);
    }
}
