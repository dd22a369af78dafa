// Prometheus metrics of cluster DNS, named as CoreDNS's (coredns_dns_requests_total,
// coredns_dns_responses_total, coredns_dns_request_duration_seconds, coredns_forward_requests_total)
// so dashboards made for CoreDNS read them; on the registry given (the server's own /metrics).
import { Counter, Histogram, Registry } from "prom-client";
import type { Transport } from "./dns-handler.js";

export class DnsMetrics {
  private readonly requests: Counter<"proto" | "type">;
  private readonly responses: Counter<"rcode">;
  private readonly duration: Histogram;
  private readonly forwarded: Counter;
  constructor(readonly registry = new Registry()) {
    const registers = [registry];
    this.requests = new Counter({ name: "coredns_dns_requests_total", help: "DNS queries by transport and record type.", labelNames: ["proto", "type"], registers });
    this.responses = new Counter({ name: "coredns_dns_responses_total", help: "DNS responses by rcode.", labelNames: ["rcode"], registers });
    this.duration = new Histogram({
      name: "coredns_dns_request_duration_seconds",
      help: "Time to answer a DNS query (forwarded ones included).",
      buckets: [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.forwarded = new Counter({ name: "coredns_forward_requests_total", help: "Queries forwarded to upstream resolvers.", registers });
  }

  /** Label children by their values: prom-client hashes labels on every inc otherwise (a third of a query's cost). */
  private readonly children = new Map<string, { inc(): void }>();

  observe(transport: Transport, type: string, rcode: string, startedNs: bigint): void {
    this.child(`q\0${transport}\0${type}`, () => this.requests.labels(transport, type)).inc();
    this.child(`r\0${rcode}`, () => this.responses.labels(rcode)).inc();
    this.duration.observe(Number(process.hrtime.bigint() - startedNs) / 1e9);
  }

  private child(key: string, make: () => { inc(): void }): { inc(): void } {
    let child = this.children.get(key);
    if (!child) this.children.set(key, (child = make()));
    return child;
  }

  forward(): void {
    this.forwarded.inc();
  }
}
