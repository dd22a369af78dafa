// Traffic follows endpoints: a 3-replica echo-server Deployment behind a ClusterIP Service on a real
// node (process runtime, isolated networking). One pod is deleted; the clock runs from the delete
// until 20 requests in a row, each a new connection to the cluster IP from inside the node
// namespace, avoid it (a refused or failed request counts as not yet). The chain measured is the
// user's: pod marked for deletion → EndpointSlice controller → the node proxy's rules. Needs root.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { APPS_V1, CORE_V1, type Client } from "../src/client/client.js";
import { createLogger } from "../src/log.js";
import { isolatedNetworkSupport } from "../src/node/network/choose-network.js";
import { startServer } from "../src/server.js";
import { defaultServerOptions } from "../src/server-options.js";
import { DEPLOYMENT } from "./agent.js";
import { median } from "./api.js";

const ADMIN = { name: "bench", groups: ["system:masters", "system:authenticated"] };
const IN_A_ROW = 20;

export async function benchServiceTraffic(options: { runs?: number } = {}): Promise<Record<string, unknown>> {
  if (process.getuid?.() !== 0 || !(await isolatedNetworkSupport()).ok) return { skipped: "needs root and the CNI plugins" };
  const runs = options.runs ?? 5;
  const dataDir = await mkdtemp(join(tmpdir(), "kubelite-bench-traffic-"));
  const server = await startServer({ ...defaultServerOptions(), dataDir, port: 0, datastore: "sqlite", logLevel: "error", nodeName: "bench-node" }, { log: createLogger("error"), removePodsOnClose: true });
  try {
    const client = server.client(ADMIN, "bench");
    const network = server.agents.agents[0]!.podNetwork();
    await client.create(APPS_V1("deployments"), "default", DEPLOYMENT);
    const service = await client.create(CORE_V1("services"), "default", { apiVersion: "v1", kind: "Service", metadata: { name: "echo" }, spec: { selector: { app: "echo" }, ports: [{ port: 8080 }] } });
    const clusterIP = (service.spec as { clusterIP: string }).clusterIP;
    const ask = () => hostnameVia(() => network.dial(clusterIP, 8080));
    const follows: number[] = [];
    for (let run = 0; run < runs; run++) {
      const names = await until(async () => {
        const pods = await readyPods(client);
        if (pods.length !== 3) return undefined;
        const seen = new Set<string>();
        for (let i = 0; i < 30; i++) seen.add(await ask());
        return seen.size === 3 ? pods : undefined;
      }, 60_000);
      const victim = names[run % names.length]!;
      const started = performance.now();
      await client.delete(CORE_V1("pods"), "default", victim, { gracePeriodSeconds: 5 });
      let inARow = 0;
      while (inARow < IN_A_ROW) {
        const answer = await ask().catch(() => victim);
        inARow = answer === victim ? 0 : inARow + 1;
      }
      follows.push(performance.now() - started);
    }
    return { runs, podDeletedToTrafficFollowsMs: { median: Math.round(median(follows)), all: follows.map(Math.round) } };
  } finally {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function readyPods(client: Client): Promise<string[]> {
  const pods = await client.list(CORE_V1("pods"), { namespace: "default", labelSelector: "app=echo" });
  return pods.items
    .filter((p) => !p.metadata?.deletionTimestamp && ((p.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"))
    .map((p) => p.metadata?.name ?? "");
}

/**
 * One HTTP/1.0 GET on a fresh connection; the echo server's hostname. A connection not made within
 * half a second (sent to a pod already gone, before the rules changed) counts as a failed request.
 */
async function hostnameVia(dial: () => Promise<Duplex>): Promise<string> {
  const dialing = dial();
  let timer: NodeJS.Timeout | undefined;
  const socket = await Promise.race([
    dialing,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void dialing.then((late) => late.destroy(), () => {});
        reject(new Error("connect timed out"));
      }, 500);
    }),
  ]).finally(() => clearTimeout(timer));
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => socket.destroy(new Error("timed out")), 2_000);
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    socket.on("error", reject);
    socket.on("end", () => {
      clearTimeout(timer);
      socket.destroy();
      try {
        resolve((JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4)) as { hostname: string }).hostname);
      } catch (error) {
        reject(error);
      }
    });
    socket.write("GET / HTTP/1.0\r\nHost: echo\r\n\r\n");
  });
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}
