package io.hvfabric.agent.network;

import java.util.List;

/** Applies {@link NftRuleset}'s text to a host, atomically, whenever it differs from what was applied last. */
final class NftTable {
    private final CommandRunner host;
    private String applied; // null: unknown (start-up, resync), so the next apply always writes

    NftTable(CommandRunner host) {
        this.host = host;
    }

    void apply(String ruleset) {
        if (ruleset.equals(applied)) {
            return;
        }
        host.run(List.of("nft", "-f", "-"), ruleset);
        applied = ruleset;
    }

    /** Forget what was applied: the next {@link #apply} rewrites the table even if nothing changed. */
    void resync() {
        applied = null;
    }
}
