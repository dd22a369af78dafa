// The DNS server on real sockets: UDP and TCP on 127.0.0.1, forwarding names outside the cluster to
// a fake upstream resolver (a dns-packet server on 127.0.0.1, never the internet), TCP fallback when
// the upstream truncates, SERVFAIL when no upstream answers, and the node relay program passing
// queries over the unix socket, reconnecting when the server restarts.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import dgram from "node:dgram";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import * as packet from "dns-packet";
import type { DecodedPacket, Packet } from "dns-packet";
import { DnsServer } from "../../src/dns/dns-server.js";
import { TcpMessageReader, tcpMessage } from "../../src/dns/relay-protocol.js";
import { createLogger } from "../../src/log.js";
import { handlerFor, query, service } from "./fixtures.js";

const RELAY = fileURLToPath(new URL("../../src/dns/dns-relay.js", import.meta.url));
const log = createLogger("error");

/** A fake upstream: answers every A query with 192.0.2.1, 40 of them (too many for 512 bytes) for big.example. */
class FakeUpstream {
  readonly udp = dgram.createSocket("udp4");
  readonly tcp = net.createServer((socket) => {
    const reader = new TcpMessageReader();
    socket.on("data", (chunk: Buffer) => {
      for (const message of reader.push(chunk)) socket.write(tcpMessage(this.answer(message, false)));
    });
  });
  port = 0;
  queries = 0;

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.udp.bind(0, "127.0.0.1", () => resolve()));
    this.port = this.udp.address().port;
    this.udp.on("message", (message, from) => this.udp.send(this.answer(message, true), from.port, from.address));
    await new Promise<void>((resolve) => this.tcp.listen(this.port, "127.0.0.1", () => resolve()));
  }

  answer(message: Buffer, udp: boolean): Buffer {
    this.queries++;
    const q = packet.decode(message);
    const name = q.questions?.[0]?.name ?? "";
    const count = name === "big.example" ? 40 : 1;
    const answers = Array.from({ length: count }, (_, i) => ({ type: "A" as const, name, ttl: 60, data: `192.0.2.${i + 1}` }));
    const reply: Packet = { type: "response", id: q.id, flags: packet.RECURSION_AVAILABLE, questions: q.questions, answers };
    const encoded = packet.encode(reply);
    if (udp && encoded.length > 512) return packet.encode({ ...reply, flags: packet.TRUNCATED_RESPONSE, answers: [] });
    return encoded;
  }

  close(): void {
    this.udp.close();
    this.tcp.close();
  }
}

function udpAsk(port: number, message: Buffer, timeoutMs = 3000): Promise<DecodedPacket & { rcode?: string }> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket("udp4");
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error("no UDP reply"));
    }, timeoutMs);
    socket.on("message", (reply) => {
      clearTimeout(timer);
      socket.close();
      resolve(packet.decode(reply));
    });
    socket.send(message, port, "127.0.0.1");
  });
}

function tcpAsk(port: number, message: Buffer): Promise<DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1" }, () => socket.write(tcpMessage(message)));
    const reader = new TcpMessageReader();
    socket.on("data", (chunk: Buffer) => {
      const [reply] = reader.push(chunk);
      if (reply) {
        socket.destroy();
        resolve(packet.decode(reply));
      }
    });
    socket.on("error", reject);
  });
}

async function freePort(): Promise<number> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

describe("DNS server", () => {
  const upstream = new FakeUpstream();
  let server: DnsServer;
  let port: number;

  before(async () => {
    await upstream.start();
    const services = [
      service("default", "web", { clusterIP: "10.43.0.20" }),
      service("default", "alias", { type: "ExternalName", externalName: "web.default.svc.cluster.local" }),
      service("default", "outside", { type: "ExternalName", externalName: "www.example" }),
    ];
    const { handler } = handlerFor({ services, slices: [], pods: [] }, [{ host: "127.0.0.1", port: upstream.port }]);
    server = new DnsServer(handler, log);
    port = await server.listenUdp(0);
    await server.listenTcp(port);
  });
  after(async () => {
    await server.close();
    upstream.close();
  });

  it("answers cluster names over UDP and TCP without asking the upstream", async () => {
    const before = upstream.queries;
    const udp = await udpAsk(port, query("web.default.svc.cluster.local", "A"));
    const tcp = await tcpAsk(port, query("web.default.svc.cluster.local", "A"));
    for (const reply of [udp, tcp]) assert.deepEqual(reply.answers?.map((a) => (a.type === "A" ? a.data : "")), ["10.43.0.20"]);
    assert.equal(upstream.queries, before);
  });

  it("forwards other names to the upstream resolver and returns its answer", async () => {
    const reply = await udpAsk(port, query("www.example", "A"));
    assert.equal(reply.rcode, "NOERROR");
    assert.deepEqual(reply.answers?.map((a) => (a.type === "A" ? a.data : "")), ["192.0.2.1"]);
  });

  it("asks the upstream again over TCP when its UDP answer is truncated, and passes the whole answer to a TCP client", async () => {
    const udp = await udpAsk(port, query("big.example", "A"));
    assert.equal(udp.flag_tc, true, "too large for the UDP client: truncated");
    const tcp = await tcpAsk(port, query("big.example", "A"));
    assert.equal(tcp.answers?.length, 40);
  });

  it("follows an ExternalName's CNAME to its target's addresses, in the cluster or upstream", async () => {
    const local = await udpAsk(port, query("alias.default.svc.cluster.local", "A"));
    assert.deepEqual(local.answers?.map((a) => `${a.type} ${a.type === "A" || a.type === "CNAME" ? a.data : ""}`), ["CNAME web.default.svc.cluster.local", "A 10.43.0.20"]);
    const outside = await udpAsk(port, query("outside.default.svc.cluster.local", "A"));
    assert.deepEqual(outside.answers?.map((a) => `${a.type} ${a.type === "A" || a.type === "CNAME" ? a.data : ""}`), ["CNAME www.example", "A 192.0.2.1"]);
  });

  it("answers SERVFAIL when no upstream answers", async () => {
    const silent = await freePort();
    const { handler } = handlerFor({ services: [], slices: [], pods: [] }, [{ host: "127.0.0.1", port: silent }]);
    const lonely = new DnsServer(handler, log);
    const lonelyPort = await lonely.listenUdp(0);
    try {
      const reply = await udpAsk(lonelyPort, query("www.example", "A"));
      assert.equal(reply.rcode, "SERVFAIL");
    } finally {
      await lonely.close();
    }
  });
});

describe("node DNS relay", () => {
  it("passes UDP and TCP queries to the server's unix socket and keeps answering across a server restart", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "kubelite-dns-relay-"));
    const socketPath = path.join(dir, "dns.sock");
    const relayPort = await freePort();
    const start = async () => {
      const { handler } = handlerFor({ services: [service("default", "web", { clusterIP: "10.43.0.20" })], slices: [], pods: [] });
      const server = new DnsServer(handler, log);
      await server.listenRelay(socketPath);
      return server;
    };
    let server = await start();
    const relay = spawn(process.execPath, [RELAY, socketPath, "127.0.0.1", String(relayPort)], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      await new Promise<void>((resolve) => relay.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve()));
      const askUntilAnswered = async () => {
        const deadline = Date.now() + 5000;
        for (;;) {
          try {
            return await udpAsk(relayPort, query("web.default.svc.cluster.local", "A"), 300);
          } catch (error) {
            if (Date.now() > deadline) throw error;
          }
        }
      };
      assert.deepEqual((await askUntilAnswered()).answers?.map((a) => (a.type === "A" ? a.data : "")), ["10.43.0.20"]);
      assert.equal((await tcpAsk(relayPort, query("web.default.svc.cluster.local", "A"))).answers?.length, 1);
      await server.close();
      server = await start();
      assert.deepEqual((await askUntilAnswered()).answers?.map((a) => (a.type === "A" ? a.data : "")), ["10.43.0.20"]);
    } finally {
      relay.kill("SIGTERM");
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
