// Listeners on the host's loopback that forward each accepted TCP connection to a target the
// caller picks per connection (a ClusterIP inside a node namespace, reached through the node's
// dial helper; or an endpoint directly in host-network mode). The host reaches the cluster only
// this way (DESIGN.md, Networking). One listener per port: `sync` opens the ports newly wanted,
// closes those no longer wanted and re-targets the rest without dropping their connections.
// A port that cannot be opened (taken by another program) is reported once per attempt through
// `onListenError` and tried again on the next sync. UDP is not forwarded here.
import net from "node:net";
import type { Duplex } from "node:stream";
import type { Logger } from "../log.js";

/** Opens a byte stream to where connections to `port` should go. */
export type Connect = () => Promise<Duplex>;

export interface ForwardedPort {
  port: number;
  /** What the connection is for, for logs and error reports (e.g. "default/web:80"). */
  description: string;
  connect: Connect;
}

export interface HostForwarderOptions {
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  log: Logger;
  /** Called when a wanted port cannot be listened on (EADDRINUSE, EACCES). */
  onListenError?(wanted: ForwardedPort, error: NodeJS.ErrnoException): void;
}

interface Listener {
  server: net.Server;
  wanted: ForwardedPort;
  sockets: Set<net.Socket>;
}

export class HostForwarder {
  private readonly listeners = new Map<number, Listener>();
  private readonly opening = new Map<number, Promise<void>>();
  private closed = false;

  constructor(private readonly options: HostForwarderOptions) {}

  /** The ports listened on now. */
  ports(): number[] {
    return [...this.listeners.keys()].sort((a, b) => a - b);
  }

  /** Makes the listeners match `wanted` (one entry per port; later duplicates are ignored). */
  async sync(wanted: readonly ForwardedPort[]): Promise<void> {
    if (this.closed) return;
    const byPort = new Map<number, ForwardedPort>();
    for (const entry of wanted) if (!byPort.has(entry.port)) byPort.set(entry.port, entry);
    for (const [port, listener] of this.listeners) if (!byPort.has(port)) this.closeListener(port, listener);
    const opens: Promise<void>[] = [];
    for (const [port, entry] of byPort) {
      const existing = this.listeners.get(port);
      if (existing) existing.wanted = entry;
      else if (!this.opening.has(port)) opens.push(this.open(entry));
    }
    await Promise.all(opens);
  }

  /** Closes every listener and the connections they carry. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.opening.values()]);
    for (const [port, listener] of this.listeners) this.closeListener(port, listener);
  }

  private open(entry: ForwardedPort): Promise<void> {
    const server = net.createServer({ allowHalfOpen: true });
    const listener: Listener = { server, wanted: entry, sockets: new Set() };
    server.on("connection", (socket) => this.forward(listener, socket));
    const opening = new Promise<void>((resolve) => {
      server.once("error", (error: NodeJS.ErrnoException) => {
        this.options.log.warn("cannot listen for a service port", { port: entry.port, service: entry.description, error: error.message });
        this.options.onListenError?.(listener.wanted, error);
        resolve();
      });
      server.listen(entry.port, this.options.host ?? "127.0.0.1", () => {
        server.removeAllListeners("error");
        server.on("error", (error) => this.options.log.warn("service port listener failed", { port: entry.port, error: error.message }));
        if (this.closed) server.close();
        else this.listeners.set(entry.port, listener);
        resolve();
      });
    }).finally(() => this.opening.delete(entry.port));
    this.opening.set(entry.port, opening);
    return opening;
  }

  private forward(listener: Listener, client: net.Socket): void {
    listener.sockets.add(client);
    client.on("close", () => listener.sockets.delete(client));
    client.on("error", () => client.destroy());
    client.pause();
    const { connect, description } = listener.wanted;
    connect().then(
      (upstream) => {
        if (client.destroyed) return void upstream.destroy();
        upstream.on("error", () => client.destroy());
        upstream.on("close", () => client.destroy());
        client.on("close", () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      },
      (error: unknown) => {
        this.options.log.debug("could not forward a connection", { service: description, error });
        client.destroy();
      },
    );
  }

  private closeListener(port: number, listener: Listener): void {
    this.listeners.delete(port);
    listener.server.close();
    for (const socket of listener.sockets) socket.destroy();
  }
}
