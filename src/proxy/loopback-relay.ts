// Reaches the host's loopback from a node namespace for the ports Services name as loopback
// endpoints (the `kubernetes` Service's API server): a relay helper inside the namespace listens
// on the node's address at those ports (see loopback-relay-helper.ts), and this side, in the
// agent's namespace, connects what it hands over to 127.0.0.1 at the same port. Only ports that a
// Service names are relayed, so pods reach nothing else on the host. The helper is started through
// the launcher (ADR 0011) and again whenever the port list changes or it died; it exits when its
// control connection to this side closes.
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "../log.js";
import type { Launcher } from "../node/launcher/launcher.js";
import { netnsPath } from "../node/network/names.js";

const HELPER = fileURLToPath(new URL("./loopback-relay-helper.js", import.meta.url));
const MAX_HEADER = 256;
const RESTART_DELAY_MS = 1000;

export interface LoopbackRelayOptions {
  netnsName: string;
  /** The node's address inside its namespace, where the relay listens. */
  listenIP: string;
  /** The node agent's directory: the unix socket and the helper's error output live under it. */
  dataDir: string;
  launcher: Launcher;
  log: Logger;
}

export class LoopbackRelay {
  private server?: net.Server;
  /** The running helper's control connection; undefined when none runs. */
  private control?: net.Socket;
  private starting = false;
  private ports: number[] = [];
  private closed = false;
  private readonly socketPath: string;

  constructor(private readonly options: LoopbackRelayOptions) {
    const preferred = path.join(options.dataDir, "network", "relay.sock");
    // sun_path holds 108 bytes; a deep data dir falls back to the temp dir, still node-specific.
    this.socketPath = Buffer.byteLength(preferred) < 100 ? preferred : path.join(tmpdir(), `kubelite-relay-${options.netnsName}.sock`);
  }

  /** Relays exactly these ports from now on (and starts the helper again if it died). */
  async sync(ports: readonly number[]): Promise<void> {
    const wanted = [...new Set(ports)].sort((a, b) => a - b);
    const same = wanted.join(",") === this.ports.join(",");
    if (this.closed || (same && (this.control !== undefined || this.starting))) return;
    this.ports = wanted;
    this.control?.destroy();
    this.control = undefined;
    if (wanted.length === 0) return;
    await this.listen();
    await this.startHelper(wanted);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.control?.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await rm(this.socketPath, { force: true });
  }

  private async listen(): Promise<void> {
    if (this.server) return;
    await mkdir(path.dirname(this.socketPath), { recursive: true });
    await rm(this.socketPath, { force: true });
    const server = net.createServer({ allowHalfOpen: true }, (socket) => this.handle(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.socketPath, () => resolve());
    });
  }

  /** Reads the first line: the helper's control connection, or a port to join to 127.0.0.1 if it is relayed. */
  private handle(socket: net.Socket): void {
    socket.on("error", () => socket.destroy());
    let header = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      header = Buffer.concat([header, chunk]);
      const end = header.indexOf(10);
      if (end < 0) return void (header.length > MAX_HEADER && socket.destroy());
      socket.off("data", onData);
      const line = header.subarray(0, end).toString("utf8");
      if (line.startsWith("control ")) return this.adoptControl(socket, line.slice("control ".length));
      socket.pause();
      const port = Number(line);
      if (!this.ports.includes(port)) return void socket.destroy();
      const upstream = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true });
      upstream.on("error", () => socket.destroy());
      upstream.on("close", () => socket.destroy());
      socket.on("close", () => upstream.destroy());
      upstream.once("connect", () => {
        const early = header.subarray(end + 1);
        if (early.length > 0) upstream.write(early);
        socket.pipe(upstream);
        upstream.pipe(socket);
        socket.resume();
      });
    };
    socket.on("data", onData);
  }

  /** The helper for the current ports becomes the running one; one for an older port list is let go. */
  private adoptControl(socket: net.Socket, ports: string): void {
    if (this.closed || this.control || ports !== this.ports.join(",")) return void socket.destroy();
    this.starting = false;
    this.control = socket;
    socket.on("close", () => {
      if (this.control === socket) this.control = undefined;
    });
  }

  private async startHelper(ports: number[]): Promise<void> {
    const { netnsName, listenIP, dataDir, launcher, log } = this.options;
    this.starting = true;
    try {
      const helper = await launcher.spawnDetached("nsenter", [`--net=${netnsPath(netnsName)}`, process.execPath, HELPER, listenIP, this.socketPath, ...ports.map(String)], {
        cwd: dataDir,
        env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" },
        stderrFile: path.join(dataDir, "network", "relay.log"),
      });
      void helper.exited.then(({ code, signal }) => {
        if (this.closed || ports.join(",") !== this.ports.join(",")) return;
        this.starting = false;
        if (code !== 0) log.warn("loopback relay helper exited; starting it again", { netns: netnsName, code, signal, log: path.join(dataDir, "network", "relay.log") });
        setTimeout(() => void this.sync(this.ports), RESTART_DELAY_MS).unref();
      });
    } catch (error) {
      this.starting = false;
      log.warn("could not start the loopback relay helper", { netns: netnsName, error });
    }
  }
}
