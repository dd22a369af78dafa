// Executes a CNI network configuration list (spec 1.0.0) the way a container runtime does: ADD
// runs the plugins in order, each given the previous plugin's result; DEL runs them in reverse
// with the cached ADD result; CHECK runs them in order with it. Each plugin runs with the node's
// network namespace as its current namespace, so the bridge, host-side veths and iptables rules
// it creates land there and never in the host's namespace.
import path from "node:path";
import { CommandError } from "./command.js";
import type { Netns } from "./netns.js";

export interface CniPlugin {
  type: string;
  /** Runtime capabilities the plugin accepts in runtimeConfig, such as portMappings. */
  capabilities?: Record<string, boolean>;
  [key: string]: unknown;
}

export interface CniNetworkList {
  cniVersion: string;
  name: string;
  plugins: CniPlugin[];
}

export interface CniIPConfig {
  address: string;
  gateway?: string;
  interface?: number;
}

export interface CniResult {
  cniVersion: string;
  interfaces?: { name: string; mac?: string; sandbox?: string }[];
  ips?: CniIPConfig[];
  routes?: { dst: string; gw?: string }[];
  dns?: Record<string, unknown>;
}

export interface CniRuntimeArgs {
  containerId: string;
  /** Path of the pod's network namespace. */
  netns: string;
  ifName: string;
  /** Values for the plugins' declared capabilities (e.g. portMappings for portmap). */
  capabilityArgs?: Record<string, unknown>;
}

/** A plugin's error reply (spec: code, msg, details on stdout). */
export class CniError extends Error {
  constructor(
    readonly plugin: string,
    readonly command: string,
    readonly code: number,
    readonly details: string,
  ) {
    super(`CNI ${plugin} ${command} failed (code ${code}): ${details}`);
    this.name = "CniError";
  }
}

export interface CniOptions {
  /** Directory holding the plugin binaries (CNI_PATH). */
  binDir: string;
  /** The namespace the plugins run in: the node's. */
  runNetns: string;
  /** Runs the plugins (through the agent's launcher). */
  netns: Netns;
}

type CniCommand = "ADD" | "DEL" | "CHECK";

export class Cni {
  constructor(private readonly options: CniOptions) {}

  async add(list: CniNetworkList, args: CniRuntimeArgs): Promise<CniResult> {
    let result: CniResult | undefined;
    for (const plugin of list.plugins) {
      const reply = await this.exec("ADD", list, plugin, args, result);
      result = JSON.parse(reply) as CniResult;
    }
    if (!result) throw new Error(`CNI network ${list.name} has no plugins`);
    return result;
  }

  /** Removes what ADD made; plugins treat missing pieces as already removed. */
  async del(list: CniNetworkList, args: CniRuntimeArgs, prevResult?: CniResult): Promise<void> {
    for (const plugin of [...list.plugins].reverse()) await this.exec("DEL", list, plugin, args, prevResult);
  }

  async check(list: CniNetworkList, args: CniRuntimeArgs, prevResult: CniResult): Promise<void> {
    for (const plugin of list.plugins) await this.exec("CHECK", list, plugin, args, prevResult);
  }

  private async exec(command: CniCommand, list: CniNetworkList, plugin: CniPlugin, args: CniRuntimeArgs, prevResult?: CniResult): Promise<string> {
    const config: Record<string, unknown> = { ...plugin, cniVersion: list.cniVersion, name: list.name };
    if (prevResult) config.prevResult = prevResult;
    const runtimeConfig = pickCapabilities(plugin, args.capabilityArgs);
    if (runtimeConfig) config.runtimeConfig = runtimeConfig;
    const env = {
      CNI_COMMAND: command,
      CNI_CONTAINERID: args.containerId,
      CNI_NETNS: args.netns,
      CNI_IFNAME: args.ifName,
      CNI_PATH: this.options.binDir,
    };
    try {
      const { stdout } = await this.options.netns.runIn(this.options.runNetns, path.join(this.options.binDir, plugin.type), [], { input: JSON.stringify(config), env });
      return stdout;
    } catch (error) {
      throw toCniError(plugin.type, command, error);
    }
  }
}

function pickCapabilities(plugin: CniPlugin, values: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!plugin.capabilities || !values) return undefined;
  const picked = Object.entries(values).filter(([name]) => plugin.capabilities?.[name] === true);
  return picked.length > 0 ? Object.fromEntries(picked) : undefined;
}

function toCniError(plugin: string, command: string, error: unknown): Error {
  if (!(error instanceof CommandError)) return error instanceof Error ? error : new Error(String(error));
  try {
    const reply = JSON.parse(error.stdout) as { code?: number; msg?: string; details?: string };
    if (typeof reply.code === "number") return new CniError(plugin, command, reply.code, [reply.msg, reply.details].filter(Boolean).join(": "));
  } catch {
    // not a CNI error reply: report the raw output
  }
  return new CniError(plugin, command, error.code ?? -1, (error.stderr || error.stdout).trim());
}
