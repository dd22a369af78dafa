// Service proxy benchmark: one node's proxy following 1,000 Services with 10,000 endpoints (ten
// per Service, in EndpointSlices written directly, as the EndpointSlice controller would), its
// rules loaded into a real node network namespace with nft. Measured: the first full load, and,
// for single endpoint changes, the time from the EndpointSlice write to the node's table holding
// the change (render plus `nft -f` of the whole table). Needs root (skipped otherwise).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../src/log.js";
import { startServer } from "../src/server.js";
import { defaultServerOptions } from "../src/server-options.js";
import { CORE_V1, type Client } from "../src/client/client.js";
import { BRIDGE, IsolatedNetwork } from "../src/node/network/isolated-network.js";
import { commandRunner } from "../src/node/network/command.js";
import { Netns } from "../src/node/network/netns.js";
import { LocalLauncher } from "../src/node/launcher/local-launcher.js";
import { isolatedNetworkSupport } from "../src/node/network/choose-network.js";
import { NftServiceTable } from "../src/proxy/nft-service-table.js";
import { ServiceProxy, type ProxySync } from "../src/proxy/service-proxy.js";
import { median, percentile } from "./api.js";

const ADMIN = { name: "bench", groups: ["system:masters", "system:authenticated"] };
const SLICES = { group: "discovery.k8s.io", version: "v1", resource: "endpointslices" };

export interface ServicesBenchOptions {
  services?: number;
  endpointsPerService?: number;
  changes?: number;
}

export async function benchServices(options: ServicesBenchOptions = {}): Promise<Record<string, unknown>> {
  if (process.getuid?.() !== 0 || !(await isolatedNetworkSupport()).ok) return { skipped: "needs root, nftables and the CNI plugins" };
  const services = options.services ?? 1000;
  const perService = options.endpointsPerService ?? 10;
  const changes = options.changes ?? 30;
  const dataDir = await mkdtemp(join(tmpdir(), "kubelite-bench-services-"));
  const log = createLogger("error");
  const server = await startServer({ ...defaultServerOptions(), dataDir, port: 0, datastore: "memory", logLevel: "error", disableAgent: true, nodeName: "bench-node" }, { log });
  const network = new IsolatedNetwork({ dataDir: join(dataDir, "node"), nodeName: "bench-node", podCIDR: "10.42.0.0/24", log });
  let proxy: ServiceProxy | undefined;
  try {
    const client = server.client(ADMIN, "bench");
    await createServices(client, services, perService);
    await network.start();
    const table = new NftServiceTable({ netns: new Netns(commandRunner(new LocalLauncher())), netnsName: network.netnsName, bridge: BRIDGE, serviceCIDR: "10.43.0.0/16", log });
    proxy = new ServiceProxy({ client, nodeName: "bench-node", network, table, hostListeners: false, log, debounceMs: 5 });
    const firstStarted = performance.now();
    await proxy.start();
    const firstLoadMs = performance.now() - firstStarted;
    const latencies: number[] = [];
    const loads: number[] = [];
    for (let i = 0; i < changes; i++) {
      const synced = new Promise<ProxySync>((resolve) => {
        const off = proxy!.onSync((sync) => {
          off();
          resolve(sync);
        });
      });
      const started = performance.now();
      await client.update(SLICES, "default", slice(i % services, perService, i + 1));
      const sync = await synced;
      latencies.push(performance.now() - started);
      loads.push(sync.loadMs);
    }
    return {
      services,
      endpoints: services * perService,
      firstLoadMs: Math.round(firstLoadMs),
      endpointChangeToRulesMs: { median: round(median(latencies)), p90: round(percentile(latencies, 90)) },
      nftLoadMs: { median: round(median(loads)) },
    };
  } finally {
    await proxy?.stop();
    await network.destroy();
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function createServices(client: Client, count: number, perService: number): Promise<void> {
  const batch = 50;
  for (let start = 0; start < count; start += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, count - start) }, async (_, j) => {
        const i = start + j;
        await client.create(CORE_V1("services"), "default", { apiVersion: "v1", kind: "Service", metadata: { name: `svc-${i}` }, spec: { ports: [{ name: "http", port: 80, targetPort: 8080 }] } });
        await client.create(SLICES, "default", slice(i, perService, 0));
      }),
    );
  }
}

/** Service i's slice; `generation` shifts its first endpoint so each write is a real change. */
function slice(i: number, perService: number, generation: number) {
  const endpoints = Array.from({ length: perService }, (_, e) => {
    const n = i * perService + e + (e === 0 ? generation * 7919 : 0);
    return { addresses: [`10.42.${Math.floor(n / 250) % 250}.${(n % 250) + 2}`], conditions: { ready: true }, nodeName: "bench-node" };
  });
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: `svc-${i}`, namespace: "default", labels: { "kubernetes.io/service-name": `svc-${i}` } },
    addressType: "IPv4",
    ports: [{ name: "http", port: 8080, protocol: "TCP" }],
    endpoints,
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
