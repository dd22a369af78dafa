// Prometheus metrics of the API server, named as upstream's (apiserver_request_total,
// apiserver_request_duration_seconds), on a registry of its own so several servers can share a process.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export class ApiMetrics {
  /** Other parts of the server (the ingress) register their metrics here too. */
  readonly registry = new Registry();
  private readonly requests: Counter<"verb" | "code">;
  private readonly duration: Histogram<"verb">;
  readonly storedObjects: Gauge<"resource">;

  constructor(collectProcessMetrics = true) {
    if (collectProcessMetrics) collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({ name: "apiserver_request_total", help: "Requests by HTTP method and response code.", labelNames: ["verb", "code"], registers: [this.registry] });
    this.duration = new Histogram({
      name: "apiserver_request_duration_seconds",
      help: "Response latency by HTTP method (watches: until the stream starts).",
      labelNames: ["verb"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.storedObjects = new Gauge({ name: "apiserver_storage_objects", help: "Objects in the watch cache by resource.", labelNames: ["resource"], registers: [this.registry] });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  observe(req: IncomingMessage, res: ServerResponse, startedNs: bigint): void {
    const verb = req.method ?? "GET";
    this.requests.inc({ verb, code: String(res.statusCode) });
    this.duration.observe({ verb }, Number(process.hrtime.bigint() - startedNs) / 1e9);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
