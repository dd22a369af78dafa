// The service proxy's Prometheus metrics, with kube-proxy's names, on the node agent's /metrics:
// how long applying rule changes takes (whole-table and incremental loads apart) and when the
// rules were last applied, so a stuck proxy shows.
import { Gauge, Histogram, type Registry } from "prom-client";

export class ProxyMetrics {
  private readonly full: Histogram<string>;
  private readonly partial: Histogram<string>;
  private readonly all: Histogram<string>;
  private readonly lastSync: Gauge<string>;

  constructor(registry: Registry) {
    const buckets = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384];
    const histogram = (name: string, help: string) => new Histogram({ name, help, buckets, registers: [registry] });
    this.all = histogram("kubeproxy_sync_proxy_rules_duration_seconds", "SyncProxyRules latency in seconds");
    this.full = histogram("kubeproxy_sync_full_proxy_rules_duration_seconds", "SyncProxyRules latency in seconds for full resyncs");
    this.partial = histogram("kubeproxy_sync_partial_proxy_rules_duration_seconds", "SyncProxyRules latency in seconds for partial resyncs");
    this.lastSync = new Gauge({ name: "kubeproxy_sync_proxy_rules_last_timestamp_seconds", help: "The last time proxy rules were successfully synced", registers: [registry] });
  }

  observe(seconds: number, full: boolean): void {
    this.all.observe(seconds);
    (full ? this.full : this.partial).observe(seconds);
    this.lastSync.set(Date.now() / 1000);
  }
}
