// The node DNS relay: a tiny program started inside a node's network namespace, where it answers
// DNS on the cluster DNS address (UDP and TCP, port 53) by passing each query over a unix socket
// in the data dir to the DNS server, which runs in the kubelite process (unix sockets cross
// network namespaces). It holds no DNS logic and no cluster state. While the server is away (a
// restart) queries are dropped, so clients retry, and the relay reconnects every 250 ms: pods keep
// their resolver address across server restarts. It runs detached and ends on SIGTERM.
// Usage: node dns-relay.js SOCKET_PATH ADDRESS [PORT]
import dgram from "node:dgram";
import net from "node:net";
import { encodeFrame, FrameReader, TcpMessageReader, tcpMessage } from "./relay-protocol.js";

const RECONNECT_MS = 250;
/** A query whose answer has not come back by then is forgotten (clients time out sooner). */
const PENDING_TTL_MS = 10_000;
/** An idle DNS-over-TCP client is closed after this long. */
const TCP_IDLE_MS = 10_000;

type Pending = { at: number; udp?: { address: string; port: number }; tcp?: net.Socket };

class Relay {
  private upstream?: net.Socket;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private udp?: dgram.Socket;

  constructor(private readonly socketPath: string) {}

  async listen(address: string, port: number): Promise<void> {
    const udp = dgram.createSocket(net.isIPv6(address) ? "udp6" : "udp4");
    udp.on("message", (message, from) => this.send(message, { at: Date.now(), udp: { address: from.address, port: from.port } }));
    await new Promise<void>((resolve, reject) => {
      udp.once("error", reject);
      udp.bind(port, address, () => resolve());
    });
    udp.on("error", (error) => process.stderr.write(`dns relay: udp: ${error.message}\n`));
    this.udp = udp;
    const tcp = net.createServer((client) => this.serveTcp(client));
    await new Promise<void>((resolve, reject) => {
      tcp.once("error", reject);
      tcp.listen(port, address, () => resolve());
    });
    this.connect();
    setInterval(() => this.expire(), PENDING_TTL_MS).unref();
  }

  private serveTcp(client: net.Socket): void {
    const reader = new TcpMessageReader();
    client.setTimeout(TCP_IDLE_MS, () => client.destroy());
    client.on("error", () => client.destroy());
    client.on("data", (chunk: Buffer) => {
      for (const message of reader.push(chunk)) this.send(message, { at: Date.now(), tcp: client });
    });
  }

  private send(message: Buffer, origin: Pending): void {
    const upstream = this.upstream;
    if (!upstream || upstream.connecting || !upstream.writable) return; // dropped: the client retries
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    this.pending.set(id, origin);
    upstream.write(encodeFrame({ id, tcp: origin.tcp !== undefined, message }));
  }

  private deliver(id: number, reply: Buffer): void {
    const origin = this.pending.get(id);
    if (!origin) return;
    this.pending.delete(id);
    if (origin.udp) this.udp?.send(reply, origin.udp.port, origin.udp.address);
    else if (origin.tcp?.writable) origin.tcp.write(tcpMessage(reply));
  }

  private connect(): void {
    const socket = net.connect({ path: this.socketPath });
    const reader = new FrameReader();
    this.upstream = socket;
    socket.on("data", (chunk: Buffer) => {
      try {
        for (const frame of reader.push(chunk)) this.deliver(frame.id, frame.message);
      } catch {
        socket.destroy();
      }
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      if (this.upstream === socket) this.upstream = undefined;
      setTimeout(() => this.connect(), RECONNECT_MS);
    });
  }

  private expire(): void {
    const cutoff = Date.now() - PENDING_TTL_MS;
    for (const [id, origin] of this.pending) if (origin.at < cutoff) this.pending.delete(id);
  }
}

const [socketPath, address, portText] = process.argv.slice(2);
if (!socketPath || !address || net.isIP(address) === 0) {
  process.stderr.write("usage: dns-relay SOCKET_PATH ADDRESS [PORT]\n");
  process.exit(2);
}
new Relay(socketPath).listen(address, Number(portText) || 53).then(
  () => process.stdout.write("ready\n"),
  (error: Error) => {
    process.stderr.write(`dns relay: ${error.message}\n`);
    process.exit(1);
  },
);
process.on("SIGTERM", () => process.exit(0));
