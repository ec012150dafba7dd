package io.hvfabric.cli;

import io.hvfabric.cli.client.ChannelFactory;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

/** What a command may touch outside its arguments: the output streams, the environment, the network. */
public record CliContext(PrintStream out, PrintStream err, Map<String, String> env, ChannelFactory channels, Clock clock) {}
