// The `kubelite` command line (DESIGN.md §3): a commander program with one subcommand per file.
// Every command has --help; a usage error (unknown flag, bad value, missing argument) prints the
// message and the usage on stderr and exits 2, like kubectl and most Unix tools.
import { Command, type CommanderError } from "commander";
import { registerAgentCommand } from "./agent-command.js";
import { registerSecretsCommand } from "./secrets-command.js";
import { registerServerCommand } from "./server-command.js";
import { registerKubeconfigCommand } from "./kubeconfig-command.js";
import { registerCertsCommand } from "./certs-command.js";

export const USAGE_EXIT_CODE = 2;

export function buildProgram(): Command {
  const program = new Command("kubelite")
    .description("A small Kubernetes-compatible orchestrator: the API, controllers, scheduler and node agent in one process.")
    .showHelpAfterError()
    // Set before adding subcommands: `.command()` copies these settings into each of them.
    .exitOverride(exitOnCommanderError);
  registerServerCommand(program);
  registerAgentCommand(program);
  registerSecretsCommand(program);
  registerKubeconfigCommand(program);
  registerCertsCommand(program);
  return program;
}

/** `--help` exits 0; every other commander error is a usage error. */
function exitOnCommanderError(err: CommanderError): never {
  process.exit(err.exitCode === 0 ? 0 : USAGE_EXIT_CODE);
}

/** Runs the command line (`argv` as in process.argv: node, script, arguments...). */
export async function main(argv: readonly string[]): Promise<void> {
  await buildProgram().parseAsync([...argv]);
}
