// The ingress's Prometheus metrics, on the API server's /metrics: requests by Ingress and status
// code, and how long each took until the response was complete (streams: until they end).
// Requests no rule matched count under ingress="".
import { Counter, Histogram, type Registry } from "prom-client";

export class IngressMetrics {
  private readonly requests: Counter<"ingress" | "code">;
  private readonly duration: Histogram<"ingress">;

  constructor(registry: Registry) {
    this.requests = new Counter({ name: "kubelite_ingress_requests_total", help: "Requests the ingress answered, by Ingress (namespace/name) and HTTP status code.", labelNames: ["ingress", "code"], registers: [registry] });
    this.duration = new Histogram({
      name: "kubelite_ingress_request_duration_seconds",
      help: "Time from a request's arrival until its response was complete, by Ingress.",
      labelNames: ["ingress"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  observe(ingress: string, code: number, seconds: number): void {
    this.requests.inc({ ingress, code: String(code) });
    this.duration.observe({ ingress }, seconds);
  }
}
