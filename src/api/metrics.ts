// Prometheus metrics of the API server, named as upstream's (apiserver_request_total,
// apiserver_request_duration_seconds), on a registry of its own so several servers can share a process.
// prom-client (about 20 ms to load) is loaded once the registry is first needed (the parts that
// start after the API register their metrics in it, /metrics renders it), not before the API
// serves: requests answered before then are counted as soon as it is (ADR 0021).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Counter, Gauge, Histogram, Registry } from "prom-client";
import { lazyRequire } from "../lazy-require.js";

const promClient = lazyRequire<typeof import("prom-client")>("prom-client");

/** Requests answered before prom-client was loaded; past this many it is loaded at once. */
const MAX_EARLY_OBSERVATIONS = 1000;

interface Observation {
  verb: string;
  code: string;
  seconds: number;
}

class RequestMetrics {
  readonly registry: Registry;
  private readonly requests: Counter<"verb" | "code">;
  private readonly duration: Histogram<"verb">;
  readonly storedObjects: Gauge<"resource">;

  constructor(collectProcessMetrics: boolean) {
    const { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } = promClient();
    this.registry = new Registry();
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

  record({ verb, code, seconds }: Observation): void {
    this.requests.inc({ verb, code });
    this.duration.observe({ verb }, seconds);
  }
}

export class ApiMetrics {
  #metrics: RequestMetrics | undefined;
  readonly #early: Observation[] = [];

  constructor(private readonly collectProcessMetrics = true) {}

  /** Other parts of the server (the ingress, cluster DNS) register their metrics here too. */
  get registry(): Registry {
    return this.metrics().registry;
  }

  get storedObjects(): Gauge<"resource"> {
    return this.metrics().storedObjects;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  observe(req: IncomingMessage, res: ServerResponse, startedNs: bigint): void {
    const observation = { verb: req.method ?? "GET", code: String(res.statusCode), seconds: Number(process.hrtime.bigint() - startedNs) / 1e9 };
    if (this.#metrics) this.#metrics.record(observation);
    else if (this.#early.push(observation) >= MAX_EARLY_OBSERVATIONS) this.metrics();
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  private metrics(): RequestMetrics {
    if (!this.#metrics) {
      this.#metrics = new RequestMetrics(this.collectProcessMetrics);
      for (const observation of this.#early.splice(0)) this.#metrics.record(observation);
    }
    return this.#metrics;
  }
}
