// `kubelite agent`: joins a running `kubelite server` as a node with the join token (see
// ../node/bootstrap/join.ts), prints one line once the node is registered, and on SIGTERM/SIGINT
// stops the agent and exits 0; the pods it runs keep running (a restarted agent adopts them). A
// refused token or a server whose CA does not match the token exits 1 with the reason.
import { Command, Option } from "commander";
import { hostname } from "node:os";
import { resolve } from "node:path";
import type { LogLevel } from "../log.js";
import { LOG_LEVELS, RUNTIMES, parseIP, parseNodeName, type RuntimeName } from "../server-options.js";
import { flag } from "./flags.js";

interface AgentFlags {
  server: string;
  token: string;
  nodeName: string;
  dataDir: string;
  nodeIp: string;
  imageMap?: string;
  runtime: RuntimeName;
  logLevel: LogLevel;
  removePodsOnExit?: boolean;
}

export function registerAgentCommand(program: Command): Command {
  const command = program.command("agent").description("Join a kubelite server as a node: run its pods, report their status, serve logs, exec and port-forward.");
  command
    .requiredOption("--server <url>", "the API server's https URL", flag(parseServerURL))
    .requiredOption("--token <token>", "the join token (the server's DATA_DIR/token)")
    .option("--node-name <name>", "this node's name", flag(parseNodeName), defaultNodeName())
    .option("--data-dir <dir>", "directory for the node's certificates, pods and logs", "./.kubelite-agent")
    .option("--node-ip <ip>", "address the API server reaches this agent on", flag(parseIP), "127.0.0.1")
    .option("--image-map <file>", "file mapping image names to commands for the process runtime")
    .addOption(new Option("--runtime <runtime>", "container runtime").choices(RUNTIMES).default("process"))
    .addOption(new Option("--log-level <level>", "least severe level logged").choices(LOG_LEVELS).default("info"))
    .addOption(new Option("--remove-pods-on-exit", "on exit, also remove the node's pods and network").hideHelp());
  return command.action(async (flags: AgentFlags) => {
    if (flags.runtime !== "process") command.error(`error: --runtime ${flags.runtime} is not available for agents yet: use --runtime process`);
    const [{ createLogger }, { joinCluster, JoinError }] = await Promise.all([import("../log.js"), import("../node/bootstrap/join.js")]);
    let joined;
    try {
      joined = await joinCluster({
        server: flags.server,
        token: flags.token,
        nodeName: flags.nodeName,
        dataDir: resolve(flags.dataDir),
        nodeIP: flags.nodeIp,
        ...(flags.imageMap === undefined ? {} : { imageMap: resolve(flags.imageMap) }),
        log: createLogger(flags.logLevel),
      });
    } catch (err) {
      if (!(err instanceof JoinError)) throw err;
      process.stderr.write(`kubelite agent: ${err.message}\n`);
      process.exit(1);
    }
    const running = joined;
    onSignals(() => (flags.removePodsOnExit ? running.destroy() : running.stop()));
    process.stdout.write(`kubelite agent: node ${flags.nodeName} is registered with ${flags.server}\n`);
  });
}

function parseServerURL(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${value} is not a URL`);
  }
  if (url.protocol !== "https:") throw new Error(`${value} must be an https URL`);
  return url.origin;
}

function defaultNodeName(): string {
  try {
    return parseNodeName(hostname().toLowerCase());
  } catch {
    return "kubelite-agent";
  }
}

function onSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`kubelite agent: ${signal} again, exiting without waiting\n`);
      process.exit(1);
    }
    stopping = true;
    void stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`kubelite agent: error while stopping: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}
