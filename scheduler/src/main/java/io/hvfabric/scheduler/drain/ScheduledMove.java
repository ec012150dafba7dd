package io.hvfabric.scheduler.drain;

/**
 * One migration placed in simulated time.
 *
 * @param wave index of the admission round that started it: moves of one wave start together
 */
public record ScheduledMove(Transfer transfer, MoveCost cost, double startSeconds, double endSeconds, int wave) {}
