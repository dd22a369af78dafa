// Cluster DNS benchmark: queries per second answered by the in-process DNS server over UDP on
// 127.0.0.1, from a cluster of 1,000 Services (a tenth headless, 5 endpoints each) and 5,000 pods,
// with a load generator in a worker thread keeping 64 queries in flight (A for Services, A for
// headless Services, SRV, and NXDOMAIN names, in turn). Also through a node relay process (the
// path pods take: UDP to the relay, a unix socket to the server). Each figure is the median of the
// runs. `node dist/bench/dns.js` prints the figures as JSON.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import * as packet from "dns-packet";
import type { KubeObject } from "../src/api/resource.js";
import { Indexer, objectKey, type IndexFunc } from "../src/client/indexer.js";
import { ClusterRecords, DNS_INDEXES } from "../src/dns/cluster-records.js";
import { ClusterZone } from "../src/dns/cluster-zone.js";
import { DnsHandler } from "../src/dns/dns-handler.js";
import { DnsMetrics } from "../src/dns/dns-metrics.js";
import { DnsServer } from "../src/dns/dns-server.js";
import { Forwarder } from "../src/dns/forwarder.js";
import { createLogger } from "../src/log.js";

export interface DnsBenchOptions {
  runs?: number;
  /** How long each run sends queries. */
  seconds?: number;
  inFlight?: number;
}

const RELAY = fileURLToPath(new URL("../src/dns/dns-relay.js", import.meta.url));

function cache(objects: KubeObject[], indexes: Record<string, IndexFunc>): Indexer {
  const indexer = new Indexer();
  for (const [name, fn] of Object.entries(indexes)) indexer.addIndex(name, fn);
  for (const obj of objects) indexer.upsert(objectKey(obj), obj);
  return indexer;
}

function cluster(): { handler: DnsHandler; queries: Buffer[] } {
  const services: KubeObject[] = [];
  const slices: KubeObject[] = [];
  const pods: KubeObject[] = [];
  for (let i = 0; i < 1000; i++) {
    const namespace = `ns-${i % 20}`;
    const name = `svc-${i}`;
    const headless = i % 10 === 0;
    services.push({ apiVersion: "v1", kind: "Service", metadata: { namespace, name }, spec: { clusterIP: headless ? "None" : `10.43.${i >> 8}.${i & 255}`, ports: [{ name: "http", port: 80, protocol: "TCP" }] } });
    const endpoints = Array.from({ length: 5 }, (_, e) => ({ addresses: [`10.42.${(i * 5 + e) >> 8}.${(i * 5 + e) & 255}`], conditions: { ready: true } }));
    slices.push({ apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { namespace, name: `${name}-x`, labels: { "kubernetes.io/service-name": name } }, addressType: "IPv4", endpoints, ports: [{ name: "http", port: 8080, protocol: "TCP" }] });
    for (const endpoint of endpoints) pods.push({ apiVersion: "v1", kind: "Pod", metadata: { namespace, name: `${name}-${pods.length}` }, status: { podIP: endpoint.addresses[0] } });
  }
  const records = new ClusterRecords({ services: cache(services, DNS_INDEXES.services), slices: cache(slices, DNS_INDEXES.slices), pods: cache(pods, DNS_INDEXES.pods) });
  const handler = new DnsHandler(new ClusterZone(records), new Forwarder({ upstreams: [] }), createLogger("error"), new DnsMetrics());
  const queries: Buffer[] = [];
  for (let i = 0; i < 1000; i++) {
    const base = `svc-${i}.ns-${i % 20}.svc.cluster.local`;
    const [name, type] = ([[base, "A"], [`_http._tcp.${base}`, "SRV"], [`nope-${i}.ns-1.svc.cluster.local`, "A"], [base, "A"]] as const)[i % 4]!;
    queries.push(packet.encode({ type: "query", id: 0, flags: packet.RECURSION_DESIRED, questions: [{ name, type }] }));
  }
  return { handler, queries };
}

// The load generator: keeps `inFlight` queries outstanding on one UDP socket, ids 0..inFlight-1,
// each answer sending the next query; counts answers for `seconds`.
const LOAD = `
const dgram = require("node:dgram");
const { parentPort, workerData } = require("node:worker_threads");
const { port, queries, inFlight, seconds } = workerData;
const socket = dgram.createSocket("udp4");
let answered = 0, next = 0, stopping = false;
const send = (slot) => {
  const q = Buffer.from(queries[next++ % queries.length]);
  q.writeUInt16BE(slot, 0);
  socket.send(q, port, "127.0.0.1");
};
socket.on("message", (reply) => {
  answered++;
  if (!stopping) send(reply.readUInt16BE(0));
});
socket.bind(0, "127.0.0.1", () => {
  const start = performance.now();
  for (let slot = 0; slot < inFlight; slot++) send(slot);
  // A lost datagram would stall its slot: refill every slot now and then.
  const refill = setInterval(() => { for (let slot = 0; slot < inFlight; slot++) if (Math.random() < 0.01) send(slot); }, 200);
  setTimeout(() => {
    stopping = true;
    clearInterval(refill);
    const elapsed = (performance.now() - start) / 1000;
    socket.close();
    parentPort.postMessage(answered / elapsed);
  }, seconds * 1000);
});
`;

function load(port: number, queries: Buffer[], inFlight: number, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD, { eval: true, workerData: { port, queries: queries.map((q) => new Uint8Array(q)), inFlight, seconds } });
    worker.once("message", (rate: number) => {
      void worker.terminate();
      resolve(rate);
    });
    worker.once("error", reject);
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function benchDns(options: DnsBenchOptions = {}): Promise<Record<string, number>> {
  const { runs = 5, seconds = 3, inFlight = 64 } = options;
  const { handler, queries } = cluster();
  const server = new DnsServer(handler, createLogger("error"));
  const port = await server.listenUdp(0);
  const dir = await mkdtemp(join(tmpdir(), "kubelite-bench-dns-"));
  const socketPath = join(dir, "dns.sock");
  await server.listenRelay(socketPath);
  const relayPort = port + 1;
  const relay = spawn(process.execPath, [RELAY, socketPath, "127.0.0.1", String(relayPort)], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    await new Promise<void>((resolve) => relay.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve()));
    const direct: number[] = [];
    const relayed: number[] = [];
    for (let run = 0; run < runs; run++) {
      direct.push(await load(port, queries, inFlight, seconds));
      relayed.push(await load(relayPort, queries, inFlight, seconds));
    }
    return { udpQueriesPerSecond: Math.round(median(direct)), relayedQueriesPerSecond: Math.round(median(relayed)), runs, inFlight };
  } finally {
    relay.kill("SIGTERM");
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) console.log(JSON.stringify(await benchDns(), null, 2));
