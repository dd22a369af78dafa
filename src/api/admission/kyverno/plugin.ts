// The Kyverno engine as an admission plugin, placed where Kyverno's validating webhook sits. A
// request that fails an Enforce rule is refused as Kyverno's webhook refuses it (403, `admission
// webhook "validate.kyverno.svc-fail" denied the request: ... resource Deployment/default/x was
// blocked due to the following policies ...` with each policy's failing rules and messages). Audit
// rules never refuse: their failures come back as warnings (`policy <policy>.<rule>: <message>`) and
// their results go to a PolicyReport in the resource's namespace.
import { yamlPackage } from "../../../lazy-require.js";
import type { UserInfo } from "../../../auth/authenticate.js";
import { StatusError } from "../../errors.js";
import type { ApiContext } from "../../handlers/api-context.js";
import type { KubeObject, ResourceDef } from "../../resource.js";
import type { AdmissionPlugin, AdmissionRequest } from "../admission.js";
import { applyPolicies, type RuleResponse } from "./engine.js";
import type { MatchTarget } from "./match.js";
import { PolicyReports } from "./policy-reports.js";
import { PolicySource } from "./policy-source.js";
import { filteredOut } from "./resource-filters.js";
import { boundRoles } from "./user-roles.js";
import type { VariableContext } from "./variables.js";

export const WEBHOOK_NAME = "validate.kyverno.svc-fail";

export class KyvernoAdmission implements AdmissionPlugin {
  readonly name = "Kyverno";
  private readonly source: PolicySource;
  private readonly reports: PolicyReports;

  constructor(private readonly api: ApiContext) {
    const def = (group: string, version: string, plural: string) => {
      const found = api.discovery.find(group, version, plural);
      if (!found) throw new Error(`the Kyverno engine needs the ${plural} resource`);
      return found;
    };
    this.source = new PolicySource(api, def("kyverno.io", "v1", "clusterpolicies"), def("kyverno.io", "v1", "policies"));
    this.reports = new PolicyReports(api, def("wgpolicyk8s.io", "v1alpha2", "policyreports"));
  }

  validate(request: AdmissionRequest): void {
    const { def } = request;
    const resource = request.operation === "DELETE" ? request.oldObject : request.object;
    if (!resource || request.operation === "CONNECT") return;
    const target = this.target(request, resource);
    if (filteredOut(target)) return;
    const policies = this.source.policiesFor(request.namespace);
    if (policies.length === 0) return;
    const prior = request.operation === "UPDATE" && request.oldObject ? { resource: request.oldObject, context: variableContext({ ...request, operation: "CREATE", object: request.oldObject, oldObject: undefined }) } : undefined;
    const responses = applyPolicies(policies, target, resource, variableContext(request), prior);
    if (responses.length === 0) return;
    const blocking = responses.filter((r) => r.action === "Enforce" && (r.status === "fail" || r.status === "error"));
    if (blocking.length > 0) throw denied(def, resource, blocking);
    for (const r of responses) if (r.status === "fail" || r.status === "error") request.ctx.warnings.push(`policy ${r.policy.name}.${r.rule}: ${r.message}`);
    const audited = responses.filter((r) => r.action === "Audit" && r.status !== "skip");
    if (audited.length > 0 && !request.ctx.dryRun && request.namespace !== undefined && request.operation !== "DELETE") this.reports.record(def, resource, audited);
  }

  private target(request: AdmissionRequest, resource: KubeObject): MatchTarget {
    const { def, ctx } = request;
    const api = this.api;
    return {
      group: def.group,
      version: def.version,
      kind: def.kind,
      subresource: request.subresource,
      name: request.name,
      namespace: request.namespace,
      labels: resource.metadata?.labels ?? {},
      annotations: resource.metadata?.annotations ?? {},
      operation: request.operation,
      user: ctx.user,
      namespaceLabels: () => namespaceLabels(api, request.namespace),
      roles: () => boundRoles(api, ctx.user, request.namespace).roles,
      clusterRoles: () => boundRoles(api, ctx.user, request.namespace).clusterRoles,
    };
  }
}

function namespaceLabels(api: ApiContext, namespace: string | undefined): Readonly<Record<string, string>> {
  const def = api.discovery.find("", "v1", "namespaces");
  if (!def || namespace === undefined) return {};
  return api.cache.get(api.registry.storageResource(def)).get(api.registry.key(def, undefined, namespace))?.labels ?? {};
}

/** What `{{ ... }}` can read, as Kyverno's JSON context names it. */
function variableContext(request: AdmissionRequest): VariableContext {
  const user: UserInfo = request.ctx.user;
  const serviceAccount = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user.name);
  return {
    request: {
      operation: request.operation,
      object: request.object ?? null,
      oldObject: request.oldObject ?? null,
      namespace: request.namespace ?? "",
      name: request.name,
      kind: { group: request.def.group, version: request.def.version, kind: request.def.kind },
      userInfo: { username: user.name, uid: user.uid ?? "", groups: user.groups },
      dryRun: request.ctx.dryRun,
    },
    serviceAccountName: serviceAccount?.[2] ?? "",
    serviceAccountNamespace: serviceAccount?.[1] ?? "",
  };
}

/** Kyverno's blocked-request message, behind the API server's webhook prefix. */
function denied(def: ResourceDef, resource: KubeObject, blocking: RuleResponse[]): StatusError {
  const byPolicy: Record<string, Record<string, string>> = {};
  for (const r of blocking) (byPolicy[r.policy.name] ??= {})[r.rule] = r.message;
  const sorted = Object.fromEntries(Object.entries(byPolicy).sort(([a], [b]) => a.localeCompare(b)).map(([p, rules]) => [p, Object.fromEntries(Object.entries(rules).sort(([a], [b]) => a.localeCompare(b)))]));
  const name = `${def.kind}/${resource.metadata?.namespace ?? ""}/${resource.metadata?.name ?? ""}`;
  const results = yamlPackage().stringify(sorted, { indent: 2, lineWidth: 0, singleQuote: true });
  return new StatusError(403, "Forbidden", `admission webhook "${WEBHOOK_NAME}" denied the request: \n\nresource ${name} was blocked due to the following policies \n\n${results}`);
}
