// Chooses how a node networks its pods: isolated (own namespaces, DESIGN.md's default when it can)
// when running as root on Linux with the CNI plugins and iproute2 at hand and a node namespace
// can actually be made; otherwise host networking, with one warning that says why and what to
// install.
import { existsSync } from "node:fs";
import path from "node:path";
import type { Logger } from "../../log.js";
import type { Launcher } from "../launcher/launcher.js";
import { LocalLauncher } from "../launcher/local-launcher.js";
import { commandRunner } from "./command.js";
import { HostNetwork } from "./host-network.js";
import { IsolatedNetwork, type NodeNamespaceService } from "./isolated-network.js";

const REQUIRED_PLUGINS = ["bridge", "host-local", "loopback", "portmap"];
const PLUGIN_DIRS = ["/usr/lib/cni", "/opt/cni/bin"];
const INSTALL_HINT = "run as root on Linux with `apt-get install containernetworking-plugins nftables` (and iproute2)";

export type IsolatedSupport = { ok: true; cniBinDir: string } | { ok: false; reason: string };

export interface SupportOptions {
  cniBinDir?: string;
  /** Starts the ip and nsenter checks (default: forks from this process). */
  launcher?: Launcher;
}

/** Whether this process can run isolated pod networking, and if not, why. */
export async function isolatedNetworkSupport(options: SupportOptions = {}): Promise<IsolatedSupport> {
  const { cniBinDir } = options;
  if (process.platform !== "linux") return { ok: false, reason: `network namespaces need Linux, this is ${process.platform}` };
  if (process.getuid?.() !== 0) return { ok: false, reason: "not running as root" };
  const dirs = cniBinDir ? [cniBinDir] : PLUGIN_DIRS;
  const dir = dirs.find((d) => REQUIRED_PLUGINS.every((p) => existsSync(path.join(d, p))));
  if (!dir) return { ok: false, reason: `CNI plugins ${REQUIRED_PLUGINS.join(", ")} not found in ${dirs.join(" or ")}` };
  const run = commandRunner(options.launcher ?? new LocalLauncher());
  try {
    await run("ip", ["netns", "list"]);
    await run("nsenter", ["--version"]);
  } catch (error) {
    return { ok: false, reason: `ip netns or nsenter unusable: ${error instanceof Error ? error.message : String(error)}` };
  }
  return { ok: true, cniBinDir: dir };
}

export interface ChoosePodNetworkOptions {
  dataDir: string;
  nodeName: string;
  podCIDR: string;
  log: Logger;
  cniBinDir?: string;
  /** Set false to ask for host networking outright (no warning). */
  isolated?: boolean;
  /** The node address in host mode. */
  hostNodeIP?: string;
  /** Starts the network's tools (default: forks from this process). */
  launcher?: Launcher;
  /** Cluster DNS inside the node namespace (isolated mode only). */
  dnsRelay?: NodeNamespaceService;
}

export async function choosePodNetwork(options: ChoosePodNetworkOptions): Promise<IsolatedNetwork | HostNetwork> {
  if (options.isolated === false) return new HostNetwork(options.hostNodeIP);
  const support = await isolatedNetworkSupport({ cniBinDir: options.cniBinDir, launcher: options.launcher });
  let reason: string;
  if (support.ok) {
    const network = new IsolatedNetwork({ ...options, cniBinDir: support.cniBinDir });
    try {
      await network.start();
      return network;
    } catch (error) {
      reason = `the node network namespace could not be made: ${error instanceof Error ? error.message : String(error)}`;
    }
  } else {
    reason = support.reason;
  }
  options.log.warn(`isolated pod networking is unavailable (${reason}); pods share the host's network. To give each pod its own network, ${INSTALL_HINT}.`);
  return new HostNetwork(options.hostNodeIP);
}
