package io.hvfabric.cli.command;

import io.hvfabric.cli.CliException;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "completion", description = "Print a shell completion script for hvctl: "
        + "source <(hvctl completion bash), or for zsh source <(hvctl completion zsh) (bash completion through "
        + "bashcompinit).")
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh")
    String shell;

    @Override
    public Integer call() {
        if (!"bash".equals(shell) && !"zsh".equals(shell)) {
            throw CliException.usage("SHELL: must be bash or zsh, got '" + shell + "'");
        }
        ((HvctlCommand) spec.root().userObject()).context().out().print(script(shell));
        ((HvctlCommand) spec.root().userObject()).context().out().flush();
        return 0;
    }

    /**
     * The script for {@code shell}, over every command group (the root this command runs under holds only this
     * group). Picocli's script serves both shells: under zsh it loads bashcompinit itself.
     */
    static String script(String shell) {
        CommandLine full = new CommandLine(new HvctlCommand(null));
        CommandGroups.addTo(full);
        String bash = AutoComplete.bash("hvctl", full);
        return "zsh".equals(shell)
                ? "#compdef hvctl\n# hvctl completion for zsh (bash completion through bashcompinit)\n" + bash
                : bash;
    }
}
