// Starts a node's DNS relay (dns-relay.ts) inside the node's network namespace: the cluster DNS
// address (10.43.0.10) is added to the namespace's loopback, so pods' packets to it, routed to
// their gateway in that namespace, are delivered locally to the relay, which passes them to the
// DNS server's unix socket. The relay is started through the launcher, detached, so it outlives
// an agent restart like the pods it serves; a new agent finds it by its pid file and keeps it.
// stop() ends it (node removal, tests).
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "../log.js";
import type { Launcher } from "../node/launcher/launcher.js";
import { commandRunner } from "../node/network/command.js";
import { netnsPath } from "../node/network/names.js";
import { Netns } from "../node/network/netns.js";
import { isSameProcessAlive, processStartTime } from "../node/runtime/process/proc.js";

const RELAY = fileURLToPath(new URL("./dns-relay.js", import.meta.url));
const READY_TIMEOUT_MS = 10_000;

export interface NodeDnsRelayOptions {
  /** The address pods' resolv.conf names (the kube-dns Service's cluster IP). */
  address: string;
  /** The DNS server's relay socket. */
  serverSocket: string;
  /** Where the relay's pid file and log live. */
  stateDir: string;
  launcher: Launcher;
  log: Logger;
}

interface RelayRecord {
  pid: number;
  startTime?: number;
  netnsName: string;
}

export class NodeDnsRelay {
  private readonly pidFile: string;
  private readonly logFile: string;

  constructor(private readonly options: NodeDnsRelayOptions) {
    this.pidFile = path.join(options.stateDir, "dns-relay.json");
    this.logFile = path.join(options.stateDir, "dns-relay.log");
  }

  /** Makes the relay answer in the namespace; a relay already running there is kept. */
  async start(netnsName: string): Promise<void> {
    const netns = new Netns(commandRunner(this.options.launcher));
    await netns.ip(netnsName, ["addr", "replace", `${this.options.address}/32`, "dev", "lo"]);
    const running = await this.running();
    if (running?.netnsName === netnsName) return;
    if (running) await this.stop();
    await mkdir(this.options.stateDir, { recursive: true });
    await writeFile(this.logFile, "");
    const args = [`--net=${netnsPath(netnsName)}`, process.execPath, RELAY, this.options.serverSocket, this.options.address];
    const child = await this.options.launcher.spawnDetached("nsenter", args, { cwd: this.options.stateDir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, stdoutFile: this.logFile, stderrFile: this.logFile });
    await writeFile(this.pidFile, JSON.stringify({ pid: child.pid, startTime: processStartTime(child.pid), netnsName } satisfies RelayRecord));
    await this.waitReady(child.exited);
    this.options.log.debug("DNS relay started", { netns: netnsName, address: this.options.address, pid: child.pid });
  }

  /** Ends the relay, if one runs. */
  async stop(): Promise<void> {
    const running = await this.running();
    if (running) {
      try {
        process.kill(running.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    await rm(this.pidFile, { force: true });
  }

  private async running(): Promise<RelayRecord | undefined> {
    try {
      const record = JSON.parse(await readFile(this.pidFile, "utf8")) as RelayRecord;
      return isSameProcessAlive(record.pid, record.startTime) ? record : undefined;
    } catch {
      return undefined;
    }
  }

  private async waitReady(exited: Promise<unknown>): Promise<void> {
    let gone = false;
    void exited.then(() => (gone = true));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const output = existsSync(this.logFile) ? await readFile(this.logFile, "utf8") : "";
      if (output.includes("ready\n")) return;
      if (gone || Date.now() > deadline) throw new Error(`the DNS relay did not start: ${output.trim() || "no output"}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
