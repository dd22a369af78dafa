// Test fixtures for the isolated pod network: temp data dirs, a quiet logger that keeps what it
// got, and tiny TCP servers and clients run inside a pod's namespace with nsenter. Traffic stays
// inside the namespaces these tests create.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLogger, type Logger } from "../../../src/log.js";
import { LocalLauncher } from "../../../src/node/launcher/local-launcher.js";
import { commandRunner, type Run } from "../../../src/node/network/command.js";
import { isolatedNetworkSupport } from "../../../src/node/network/choose-network.js";

/** Why the isolated network tests cannot run here, or undefined when they can. */
export async function skipReason(): Promise<string | undefined> {
  const support = await isolatedNetworkSupport();
  return support.ok ? undefined : `isolated networking unavailable: ${support.reason}`;
}

export async function tempDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "kl-net-"));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(createLogger("warn", (line) => lines.push(line)), { lines });
}

export interface PodServer {
  close(): void;
}

/**
 * A TCP server in the given namespace: greets each connection with "hello from NAME\n", then
 * echoes what it receives.
 */
export function serveIn(netnsPath: string, port: number, name: string): Promise<PodServer> {
  const script = `require("net").createServer((c) => { c.on("error", () => c.destroy()); c.write(${JSON.stringify(`hello from ${name}\n`)}); c.pipe(c); })
    .listen(${port}, () => console.log("listening"));
    process.stdin.on("end", () => process.exit(0)); process.stdin.resume();`;
  const child = spawn("nsenter", [`--net=${netnsPath}`, process.execPath, "-e", script], { stdio: ["pipe", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("listening")) resolve({ close: () => stop(child) });
    });
    child.once("exit", (code) => reject(new Error(`server in ${netnsPath} exited with ${code}`)));
  });
}

function stop(child: ChildProcess): void {
  child.stdin?.end();
  child.kill();
}

/** Connects from inside a namespace and returns the first line the server sends. */
export async function greetingFrom(netnsPath: string, ip: string, port: number): Promise<string> {
  const script = `const s = require("net").connect(${port}, ${JSON.stringify(ip)});
    s.setTimeout(3000, () => { console.error("timeout"); process.exit(3); });
    s.on("error", (e) => { console.error(e.code); process.exit(2); });
    s.on("data", (d) => { process.stdout.write(d.toString().split("\\n")[0]); process.exit(0); });`;
  const { stdout } = await run("nsenter", [`--net=${netnsPath}`, process.execPath, "-e", script]);
  return stdout;
}

/** The host namespace's routes, and a namespace's, as `ip route show` prints them. */
export async function routes(netnsName?: string): Promise<string> {
  const { stdout } = await run("ip", [...(netnsName ? ["-n", netnsName] : []), "route", "show"]);
  return stdout;
}

/** Runs a tool in this (small) test process. */
function run(...command: Parameters<Run>): ReturnType<Run> {
  return commandRunner(new LocalLauncher())(...command);
}

export function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  return work().then((value) => ({ value, ms: performance.now() - start }));
}
