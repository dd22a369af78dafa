// Forwards queries for names outside the cluster to upstream resolvers (CoreDNS's `forward . 
// /etc/resolv.conf`): over UDP from a fresh socket per query (so ids never collide), again over TCP
// when the answer comes back truncated, each upstream in turn until one answers. The query goes out
// as the client sent it and the reply comes back as the upstream wrote it.
import dgram from "node:dgram";
import net from "node:net";
import { TcpMessageReader, tcpMessage } from "./relay-protocol.js";

export interface Upstream {
  host: string;
  port: number;
}

export interface ForwarderOptions {
  upstreams: Upstream[];
  /** How long one upstream gets to answer (default 2 s). */
  timeoutMs?: number;
}

export class Forwarder {
  readonly upstreams: Upstream[];
  private readonly timeoutMs: number;

  constructor(options: ForwarderOptions) {
    this.upstreams = options.upstreams;
    this.timeoutMs = options.timeoutMs ?? 2000;
  }

  /** The first upstream's reply; rejects when none answers. */
  async forward(query: Buffer): Promise<Buffer> {
    let lastError: unknown = new Error("no upstream resolvers configured");
    for (const upstream of this.upstreams) {
      try {
        const reply = await this.overUdp(upstream, query);
        // TC is bit 9 of the flags (byte 2, 0x02): the whole answer needs TCP.
        return (reply[2] ?? 0) & 0x02 ? await this.overTcp(upstream, query) : reply;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  private overUdp(upstream: Upstream, query: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket(net.isIPv6(upstream.host) ? "udp6" : "udp4");
      let done = false;
      const finish = (error: Error | undefined, reply?: Buffer) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.close();
        if (error) reject(error);
        else resolve(reply!);
      };
      const timer = setTimeout(() => finish(new Error(`upstream ${upstream.host}:${upstream.port} timed out`)), this.timeoutMs);
      socket.on("error", (error) => finish(error));
      socket.on("message", (reply, from) => {
        // Only the upstream's reply to this query's id counts; anything else is ignored.
        if (from.address === upstream.host && reply.length >= 2 && reply.readUInt16BE(0) === query.readUInt16BE(0)) finish(undefined, reply);
      });
      socket.send(query, upstream.port, upstream.host);
    });
  }

  private overTcp(upstream: Upstream, query: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: upstream.host, port: upstream.port });
      const reader = new TcpMessageReader();
      const finish = (error: Error | undefined, reply?: Buffer) => {
        clearTimeout(timer);
        socket.destroy();
        if (error) reject(error);
        else resolve(reply!);
      };
      const timer = setTimeout(() => finish(new Error(`upstream ${upstream.host}:${upstream.port} timed out (TCP)`)), this.timeoutMs);
      socket.on("error", (error) => finish(error));
      socket.on("connect", () => socket.write(tcpMessage(query)));
      socket.on("data", (chunk: Buffer) => {
        const [reply] = reader.push(chunk);
        if (reply) finish(undefined, reply);
      });
      socket.on("end", () => finish(new Error(`upstream ${upstream.host}:${upstream.port} closed the connection`)));
    });
  }
}

