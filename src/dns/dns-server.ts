// Serves the DnsHandler on the transports DNS comes in by: UDP and TCP sockets (tests, the
// benchmark, a host that wants the cluster's names) and a unix socket that the node relays
// (dns-relay.ts) connect to from inside node network namespaces. Every listener answers from the
// same handler; close() stops them all.
import dgram from "node:dgram";
import { chmod, mkdir, rm } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import type { Logger } from "../log.js";
import type { DnsHandler, Transport } from "./dns-handler.js";
import { encodeFrame, FrameReader, TcpMessageReader, tcpMessage } from "./relay-protocol.js";

/** An idle DNS-over-TCP connection is closed after this long (RFC 7766 suggests seconds). */
export const TCP_IDLE_MS = 10_000;

export class DnsServer {
  private readonly closers: (() => Promise<void>)[] = [];
  private readonly connections = new Set<net.Socket>();

  constructor(
    private readonly handler: DnsHandler,
    private readonly log: Logger,
  ) {}

  /** Answers UDP on host:port (port 0 picks one); resolves to the port. */
  async listenUdp(port: number, host = "127.0.0.1"): Promise<number> {
    const socket = dgram.createSocket(net.isIPv6(host) ? "udp6" : "udp4");
    socket.on("message", (message, from) => {
      void this.answer(message, "udp").then((reply) => {
        if (reply) socket.send(reply, from.port, from.address);
      });
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(port, host, () => {
        socket.off("error", reject);
        resolve();
      });
    });
    socket.on("error", (error) => this.log.warn("DNS UDP socket error", { error }));
    this.closers.push(() => new Promise((resolve) => socket.close(() => resolve())));
    return socket.address().port;
  }

  /** Answers DNS over TCP on host:port; resolves to the port. */
  async listenTcp(port: number, host = "127.0.0.1"): Promise<number> {
    const server = net.createServer((socket) => this.serveTcp(socket));
    await this.listen(server, { port, host });
    return (server.address() as net.AddressInfo).port;
  }

  /** Answers relay frames on a unix socket (mode 0600: only this user's relays). */
  async listenRelay(socketPath: string): Promise<void> {
    await mkdir(path.dirname(socketPath), { recursive: true });
    await rm(socketPath, { force: true });
    const server = net.createServer((socket) => this.serveRelay(socket));
    await this.listen(server, { path: socketPath });
    await chmod(socketPath, 0o600);
  }

  async close(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    await Promise.all(this.closers.splice(0).map((close) => close()));
  }

  private async answer(message: Buffer, transport: Transport): Promise<Buffer | undefined> {
    try {
      return await this.handler.handle(message, transport);
    } catch (error) {
      this.log.warn("DNS query failed", { error });
      return undefined;
    }
  }

  private serveTcp(socket: net.Socket): void {
    this.track(socket);
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    const reader = new TcpMessageReader();
    socket.on("data", (chunk: Buffer) => {
      for (const message of reader.push(chunk)) {
        void this.answer(message, "tcp").then((reply) => {
          if (reply && socket.writable) socket.write(tcpMessage(reply));
        });
      }
    });
  }

  private serveRelay(socket: net.Socket): void {
    this.track(socket);
    const reader = new FrameReader();
    socket.on("data", (chunk: Buffer) => {
      let frames;
      try {
        frames = reader.push(chunk);
      } catch (error) {
        this.log.warn("DNS relay sent a bad frame; dropping the connection", { error });
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        void this.answer(frame.message, frame.tcp ? "tcp" : "udp").then((reply) => {
          if (reply && socket.writable) socket.write(encodeFrame({ id: frame.id, tcp: frame.tcp, message: reply }));
        });
      }
    });
  }

  private track(socket: net.Socket): void {
    this.connections.add(socket);
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.connections.delete(socket));
  }

  private async listen(server: net.Server, options: net.ListenOptions): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  }
}
