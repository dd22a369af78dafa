// Admission benchmark: pod create throughput and latency (concurrency 32) on a server with no
// admission configuration, and on one whose `default` namespace has a ValidatingAdmissionPolicy
// (CEL over every container), a LimitRange (defaults and a max) and a ResourceQuota (pods and
// requests.cpu, charged one request of the namespace at a time). The difference is what policy
// and resource admission cost on the write path.
import { client, createPods, median, percentile, startServerProcess, stopServerProcess, type Call } from "./api.js";

const POLICY = {
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "ValidatingAdmissionPolicy",
  metadata: { name: "limits-required" },
  spec: {
    matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }] },
    validations: [{ expression: "object.spec.containers.all(c, has(c.resources.limits) && 'cpu' in c.resources.limits)", message: "every container needs a cpu limit" }],
  },
};
const BINDING = {
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "ValidatingAdmissionPolicyBinding",
  metadata: { name: "limits-required" },
  spec: { policyName: "limits-required", validationActions: ["Deny"], matchResources: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "default" } } } },
};
const LIMIT_RANGE = { apiVersion: "v1", kind: "LimitRange", metadata: { name: "defaults" }, spec: { limits: [{ type: "Container", default: { cpu: "500m", memory: "1Gi" }, defaultRequest: { cpu: "250m", memory: "512Mi" }, max: { cpu: "2" } }] } };
const QUOTA = { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "bench" }, spec: { hard: { pods: "1000000", "requests.cpu": "1000000" } } };

export interface AdmissionBenchResult {
  pods: number;
  withoutAdmission: { podsPerSecond: number; p50Ms: number; p99Ms: number };
  withPolicyLimitRangeQuota: { podsPerSecond: number; p50Ms: number; p99Ms: number };
}

async function configure(call: Call): Promise<void> {
  const post = async (path: string, body: unknown) => {
    const reply = await call("POST", path, JSON.stringify(body));
    if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${reply.text().slice(0, 300)}`);
  };
  await post("/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies", POLICY);
  await post("/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings", BINDING);
  await post("/api/v1/namespaces/default/limitranges", LIMIT_RANGE);
  await post("/api/v1/namespaces/default/resourcequotas", QUOTA);
  const deadline = performance.now() + 30_000;
  for (;;) {
    const quota = JSON.parse((await call("GET", "/api/v1/namespaces/default/resourcequotas/bench")).text()) as { status?: { used?: Record<string, string> } };
    if (quota.status?.used?.pods !== undefined) return;
    if (performance.now() > deadline) throw new Error("the quota controller did not fill the quota's status in 30 s");
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function measure(pods: number, runs: number, withAdmission: boolean): Promise<{ podsPerSecond: number; p50Ms: number; p99Ms: number }> {
  const throughput: number[] = [];
  const p50s: number[] = [];
  const p99s: number[] = [];
  for (let run = 0; run < runs; run++) {
    const s = await startServerProcess("sqlite", ["--disable-scheduler"]);
    try {
      const call = await client(s);
      if (withAdmission) await configure(call);
      const t = performance.now();
      const latencies = await createPods(call, "bench", pods, 32);
      throughput.push(pods / ((performance.now() - t) / 1000));
      p50s.push(percentile(latencies, 50));
      p99s.push(percentile(latencies, 99));
    } finally {
      await stopServerProcess(s);
    }
  }
  return { podsPerSecond: median(throughput), p50Ms: median(p50s), p99Ms: median(p99s) };
}

export async function benchAdmission(options: { runs?: number; pods?: number } = {}): Promise<AdmissionBenchResult> {
  const runs = options.runs ?? 3;
  const pods = options.pods ?? 3_000;
  return { pods, withoutAdmission: await measure(pods, runs, false), withPolicyLimitRangeQuota: await measure(pods, runs, true) };
}
