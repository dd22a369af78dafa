// NetworkPolicy benchmark: how long one node takes to recompile its policy table (the enforcer does
// this after every burst of pod, namespace or policy changes) and, with root and nft, to apply it
// in a scratch network namespace. Workloads: a cluster of N pods in 20 namespaces, a tenth of them
// on the node, 10 policies per namespace with pod, namespace and ipBlock peers, port ranges and named
// ports. Parsed views are cached per object as in the enforcer; figures are medians (ms) of warm runs.
import { execFileSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import type { KubeObject } from "../src/api/resource.js";
import { ClusterSnapshot, ViewCache } from "../src/netpol/cluster-snapshot.js";
import { compileRuleset } from "../src/netpol/nft-compiler.js";
import { median } from "./api.js";

export interface NetpolBenchOptions {
  clusterPods?: number[];
  runs?: number;
}

const NAMESPACES = 20;
const POLICIES_PER_NAMESPACE = 10;

function workload(pods: number): { namespaces: KubeObject[]; pods: KubeObject[]; policies: KubeObject[] } {
  const namespaces = Array.from({ length: NAMESPACES }, (_, n) => ({ metadata: { name: `ns${n}`, labels: { team: `t${n % 4}` } } }));
  const podObjects = Array.from({ length: pods }, (_, i) => ({
    metadata: { namespace: `ns${i % NAMESPACES}`, name: `p${i}`, labels: { app: `app${i % 50}` } },
    spec: { nodeName: i % 10 === 0 ? "bench-node" : "other", containers: [{ name: "c", ports: [{ name: "http", containerPort: 8080 }] }] },
    status: { phase: "Running", podIP: `10.${42 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}` },
  }));
  const policies = namespaces.flatMap((ns, n) =>
    Array.from({ length: POLICIES_PER_NAMESPACE }, (_, p) => ({
      metadata: { namespace: ns.metadata.name, name: `pol${p}`, uid: `${n}-${p}` },
      spec: {
        podSelector: { matchLabels: { app: `app${p * 5}` } },
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: `app${p * 5 + 1}` } } }, { namespaceSelector: { matchLabels: { team: "t1" } } }], ports: [{ port: "http" }, { port: 9000, endPort: 9100 }] }],
        egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.99.0.0/16"] } }] }, { ports: [{ port: "http" }] }],
      },
    })),
  );
  return { namespaces, pods: podObjects, policies };
}

function applyMs(script: string): number | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const netns = `kl-bench-${process.pid}`;
  try {
    execFileSync("ip", ["netns", "add", netns]);
    const started = performance.now();
    execFileSync("nsenter", [`--net=/var/run/netns/${netns}`, "nft", "-f", "-"], { input: script });
    return performance.now() - started;
  } catch {
    return undefined;
  } finally {
    execFileSync("ip", ["netns", "delete", netns], { stdio: "ignore" });
  }
}

export async function benchNetpol(options: NetpolBenchOptions = {}) {
  const runs = options.runs ?? 5;
  const results = [];
  for (const pods of options.clusterPods ?? [1_000, 20_000]) {
    const objects = workload(pods);
    const views = new ViewCache();
    const compile: number[] = [];
    const apply: number[] = [];
    let script = "";
    let localPods = 0;
    for (let run = 0; run <= runs; run++) {
      const started = performance.now();
      const cluster = new ClusterSnapshot(objects, views);
      const local = cluster.allPods().filter((p) => p.nodeName === "bench-node");
      script = compileRuleset(cluster, local).script;
      if (run > 0) compile.push(performance.now() - started); // run 0 parses every object: the cold start
      localPods = local.length;
    }
    for (let run = 0; run < Math.min(runs, 3); run++) {
      const ms = applyMs(script);
      if (ms !== undefined) apply.push(ms);
    }
    results.push({
      clusterPods: pods,
      nodePods: localPods,
      policies: objects.policies.length,
      compileMs: Math.round(median(compile)),
      scriptKiB: Math.round(script.length / 1024),
      nftApplyMs: apply.length > 0 ? Math.round(median(apply)) : "needs root and nft",
    });
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) console.log(JSON.stringify(await benchNetpol(), null, 2));
