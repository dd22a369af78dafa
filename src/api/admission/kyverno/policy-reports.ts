// Audit results as Kyverno reports them: one wgpolicyk8s.io/v1alpha2 PolicyReport per resource,
// named by the resource's uid, in its namespace, owned by it (so it goes when the resource goes),
// holding the latest result of each audited policy rule and a summary. Written after the request,
// off its path: a report is a record, not part of the write; failures are logged and dropped.
import type { ApiContext } from "../../handlers/api-context.js";
import { apiVersionOf, type KubeObject, type ResourceDef } from "../../resource.js";
import { systemContext } from "../../system-namespaces.js";
import type { RuleResponse } from "./engine.js";

interface ReportResult {
  policy: string;
  rule: string;
  result: string;
  message: string;
  scored: boolean;
  source: string;
  timestamp: { seconds: number; nanos: number };
}

const SUMMARY_KEYS = ["pass", "fail", "warn", "error", "skip"] as const;

export class PolicyReports {
  constructor(private readonly api: ApiContext, private readonly reportDef: ResourceDef) {}

  record(def: ResourceDef, resource: KubeObject, responses: readonly RuleResponse[]): void {
    const meta = resource.metadata ?? {};
    const uid = meta.uid;
    const namespace = meta.namespace;
    if (!uid || !namespace) return;
    const seconds = Math.floor(this.api.now().getTime() / 1000);
    const results: ReportResult[] = responses.map((r) => ({ policy: r.policy.name, rule: r.rule, result: r.status, message: r.message, scored: true, source: "kyverno", timestamp: { seconds, nanos: 0 } }));
    const policies = new Set(results.map((r) => r.policy));
    const owner = { apiVersion: apiVersionOf(def), kind: def.kind, name: meta.name ?? "", uid };
    // After the write this request makes (the report's owner must exist for the garbage collector).
    setImmediate(() => {
      this.api.registry
        .guaranteedUpdate(this.reportDef, namespace, uid, systemContext("kyverno"), undefined, (current) => {
          const kept = ((current?.results as ReportResult[] | undefined) ?? []).filter((r) => !policies.has(r.policy));
          const all = [...kept, ...results].sort((a, b) => `${a.policy}/${a.rule}`.localeCompare(`${b.policy}/${b.rule}`));
          return {
            apiVersion: apiVersionOf(this.reportDef),
            kind: "PolicyReport",
            metadata: { ...(current?.metadata ?? {}), name: uid, namespace, labels: { "app.kubernetes.io/managed-by": "kyverno" }, ownerReferences: [owner] },
            scope: { ...owner, namespace },
            results: all,
            summary: Object.fromEntries(SUMMARY_KEYS.map((key) => [key, all.filter((r) => r.result === key).length])),
          };
        })
        .catch((err: unknown) => this.api.log.debug("could not write the policy report", { namespace, name: meta.name, error: err }));
    });
  }
}
