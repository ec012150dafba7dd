package io.hvfabric.agent.host;

import java.util.Objects;

/** The accelerator the agent will use, and the probe's reason for it. */
public record AcceleratorChoice(Accelerator accelerator, String detail) {
    public AcceleratorChoice {
        Objects.requireNonNull(accelerator, "accelerator");
        Objects.requireNonNull(detail, "detail");
    }
}
