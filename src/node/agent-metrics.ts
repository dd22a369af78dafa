// The agent's own Prometheus metrics on its /metrics, with the kubelet's names: pods and
// containers running, pod start latency (bound to running, as kubelet_pod_start_duration_seconds
// measures it), and the process's own figures when the agent runs alone (in `kubelite server` the API's /metrics has those).
import { Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Runtime } from "./runtime/runtime.js";

export class AgentMetrics {
  readonly registry = new Registry();
  readonly podStartSeconds: Histogram<string>;

  constructor(runtime: () => Runtime | undefined, options: { processMetrics: boolean }) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
    this.podStartSeconds = new Histogram({
      name: "kubelet_pod_start_duration_seconds",
      help: "Duration in seconds from the pod being bound to this node to all of its containers running",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [this.registry],
    });
    new Gauge({
      name: "kubelet_running_pods",
      help: "Number of pods that have a running pod sandbox",
      registers: [this.registry],
      async collect() {
        const r = runtime();
        this.set(r ? (await r.listPodSandboxes()).filter((s) => s.state === "ready").length : 0);
      },
    });
    new Gauge({
      name: "kubelet_running_containers",
      help: "Number of containers by state",
      labelNames: ["container_state"],
      registers: [this.registry],
      async collect() {
        const r = runtime();
        const counts = new Map<string, number>([["running", 0], ["exited", 0], ["created", 0], ["unknown", 0]]);
        for (const c of r ? await r.listContainers() : []) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
        for (const [state, n] of counts) this.set({ container_state: state }, n);
      },
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
