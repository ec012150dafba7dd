package io.hvfabric.agent.qga;

/** What {@code guest-info} says about the agent itself. */
public record GuestInfo(String version) {}
