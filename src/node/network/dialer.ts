// Dials TCP addresses inside a network namespace from the agent's own (host) namespace, through
// one long-lived dial helper (dial-helper.ts) started in that namespace. The helper is started on
// first use and again on the next dial after it dies; close() stops it. A dial costs one unix
// socket connection and a one-line handshake; bytes then flow through the helper unchanged.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Duplex } from "node:stream";
import type { Logger } from "../../log.js";
import { netnsPath } from "./names.js";

const HELPER = fileURLToPath(new URL("./dial-helper.js", import.meta.url));
const MAX_REPLY = 512;

export interface NamespaceDialerOptions {
  netnsName: string;
  /** Filesystem path of the helper's unix socket (at most ~100 bytes). */
  socketPath: string;
  log: Logger;
  connectTimeoutMs?: number;
}

/** A dial the helper could not complete, such as ECONNREFUSED; `code` is the errno name. */
export class DialError extends Error {
  constructor(
    readonly address: string,
    readonly code: string,
    detail: string,
  ) {
    super(`dial ${address}: ${code} ${detail}`.trim());
    this.name = "DialError";
  }
}

export class NamespaceDialer {
  private helper?: ChildProcess;
  private starting?: Promise<void>;
  private closed = false;

  constructor(private readonly options: NamespaceDialerOptions) {}

  /** The running helper's process id, if one runs. */
  get helperPid(): number | undefined {
    return this.helper?.pid;
  }

  async dial(ip: string, port: number): Promise<Duplex> {
    if (this.closed) throw new Error("dialer is closed");
    await this.start();
    try {
      return await this.handshake(ip, port);
    } catch (error) {
      if (error instanceof DialError) throw error;
      // The helper went away between start() and connect: start it again, once.
      this.stopHelper();
      await this.start();
      return this.handshake(ip, port);
    }
  }

  /** Stops the helper; pods and namespaces are untouched. */
  async close(): Promise<void> {
    this.closed = true;
    await this.starting?.catch(() => {});
    this.stopHelper();
  }

  private start(): Promise<void> {
    // A helper still starting is waited for: dialing it before it listens would look like a dead helper.
    if (this.starting) return this.starting;
    if (this.helper && this.helper.exitCode === null && this.helper.signalCode === null) return Promise.resolve();
    this.starting ??= mkdir(path.dirname(this.options.socketPath), { recursive: true })
      .then(() => this.spawnHelper())
      .finally(() => (this.starting = undefined));
    return this.starting;
  }

  private spawnHelper(): Promise<void> {
    const { netnsName, socketPath, log, connectTimeoutMs = 10_000 } = this.options;
    const args = [`--net=${netnsPath(netnsName)}`, process.execPath, HELPER, socketPath, String(connectTimeoutMs)];
    const child = spawn("nsenter", args, { stdio: ["pipe", "pipe", "pipe"] });
    this.helper = child;
    child.stderr?.on("data", (chunk: Buffer) => log.warn("dial helper", { netns: netnsName, output: chunk.toString("utf8").trim() }));
    return new Promise((resolve, reject) => {
      let output = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString("utf8");
        if (output.includes("ready\n")) resolve();
      });
      child.once("error", reject);
      child.once("exit", (code, signal) => {
        if (this.helper === child) this.helper = undefined;
        if (!this.closed) log.warn("dial helper exited; it starts again on the next dial", { netns: netnsName, code, signal });
        reject(new Error(`dial helper for ${netnsName} exited (${signal ?? code}) before it was ready`));
      });
    });
  }

  private stopHelper(): void {
    const child = this.helper;
    this.helper = undefined;
    if (!child) return;
    child.stdin?.end(); // the helper exits when its stdin closes
    child.kill("SIGTERM");
  }

  private handshake(ip: string, port: number): Promise<Duplex> {
    const address = `${ip}:${port}`;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ path: this.options.socketPath, allowHalfOpen: true });
      let reply = Buffer.alloc(0);
      const fail = (error: Error) => {
        socket.destroy();
        reject(error);
      };
      const onReadable = () => {
        let chunk: Buffer | null;
        while ((chunk = socket.read() as Buffer | null) !== null) {
          reply = Buffer.concat([reply, chunk]);
          const end = reply.indexOf(10);
          if (end < 0) {
            if (reply.length > MAX_REPLY) fail(new DialError(address, "EPROTO", "bad reply from dial helper"));
            continue;
          }
          socket.off("readable", onReadable);
          socket.off("error", fail);
          socket.off("end", onEnd);
          const line = reply.subarray(0, end).toString("utf8");
          const rest = reply.subarray(end + 1);
          if (line !== "ok") {
            const [, code = "EIO", ...detail] = line.split(" ");
            return fail(new DialError(address, code, detail.join(" ")));
          }
          if (rest.length > 0) socket.unshift(rest);
          return resolve(socket);
        }
      };
      const onEnd = () => fail(new DialError(address, "EPROTO", "dial helper closed the connection"));
      socket.once("connect", () => socket.write(`${ip} ${port}\n`));
      socket.on("readable", onReadable);
      socket.once("error", fail);
      socket.once("end", onEnd);
    });
  }
}
