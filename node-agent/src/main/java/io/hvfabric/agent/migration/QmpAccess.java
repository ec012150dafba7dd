package io.hvfabric.agent.migration;

import io.hvfabric.agent.qmp.QmpClient;

/** The QMP connection of a running VSI; migration needs QEMU, so only the QEMU driver provides one. */
@FunctionalInterface
public interface QmpAccess {
    QmpClient qmp(String name);
}
