// The PodSecurity admission plugin (upstream's plugin/pkg/admission/security/podsecurity): pods are
// checked against their namespace's enforce level (refused with upstream's message), and against
// its warn and audit levels (a Warning header; the server log at debug level, as kubelite's audit
// log records requests, not admission annotations). Pod controllers are only warned and audited: their pods are enforced when created.
// Namespace writes have their labels validated and, when enforce tightens, the existing pods
// dry-run. Exempt namespaces and users pass unchecked; pod updates that change no image pass too.
import { StatusError } from "../../errors.js";
import type { ApiContext } from "../../handlers/api-context.js";
import type { KubeObject, ResourceDef } from "../../resource.js";
import { invalidObject } from "../../validation/field-errors.js";
import type { AdmissionPlugin, AdmissionRequest } from "../admission.js";
import type { CheckPod, CheckResult, PodSpec } from "./check.js";
import type { PodSecurityConfiguration } from "./configuration.js";
import { forbiddenDetail, PodSecurityEvaluator, type Verdict } from "./evaluator.js";
import { existingPodWarnings } from "./existing-pods.js";
import { isPod, isPodController, podParts, type PodParts } from "./pod-template.js";
import { exemptNamespaceWarning } from "./exempt-namespace.js";
import { compareLevels, fullyPrivileged, levelVersionString, type LevelVersion, type Policy, policyFromLabels, sameLevelVersion, versionString } from "./policy.js";

/** Pod subresources that cannot change what PodSecurity checks. */
const IGNORED_POD_SUBRESOURCES = new Set(["exec", "attach", "binding", "eviction", "log", "portforward", "proxy", "status"]);

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

export class PodSecurityAdmission implements AdmissionPlugin {
  readonly name = "PodSecurity";
  private readonly evaluator = new PodSecurityEvaluator();
  /** Namespaces' policies by their labels object (see namespacePolicy). */
  private readonly policies = new WeakMap<Readonly<Record<string, string>>, Policy>();
  private readonly exemptNamespaces: Set<string>;
  private readonly exemptUsers: Set<string>;
  private readonly namespaces: ResourceDef;

  constructor(private readonly api: ApiContext, private readonly config: PodSecurityConfiguration) {
    this.exemptNamespaces = new Set(config.exemptions.namespaces);
    this.exemptUsers = new Set(config.exemptions.usernames);
    const namespaces = api.discovery.find("", "v1", "namespaces");
    if (!namespaces) throw new Error("PodSecurity needs the namespaces resource");
    this.namespaces = namespaces;
  }

  validate(request: AdmissionRequest): void {
    if (request.operation !== "CREATE" && request.operation !== "UPDATE") return;
    const { def } = request;
    if (def.group === "" && def.kind === "Namespace") return this.validateNamespace(request);
    if (isPod(def)) return this.validatePod(request);
    if (isPodController(def) && request.subresource === undefined) return this.validatePodController(request);
  }

  private validateNamespace(request: AdmissionRequest): void {
    if (request.subresource !== undefined || !request.object) return;
    const labels = request.object.metadata?.labels;
    const { policy, errors } = policyFromLabels(labels, this.config.defaults);
    const name = request.name;
    if (request.operation === "CREATE") {
      if (errors.length > 0) throw invalidObject("Namespace", "", name, errors);
      this.warnIfExempt(request, policy, labels);
      return;
    }
    const old = policyFromLabels(request.oldObject?.metadata?.labels, this.config.defaults);
    const changedErrors = JSON.stringify(errors) !== JSON.stringify(old.errors);
    if (errors.length > 0 && (old.errors.length === 0 || changedErrors)) throw invalidObject("Namespace", "", name, errors);
    const enforce = policy.enforce;
    if (sameLevelVersion(enforce, old.policy.enforce) || enforce.level === "privileged") return;
    // Relaxing the level at the same version cannot make an existing pod violate it.
    if (versionString(enforce.version) === versionString(old.policy.enforce.version) && compareLevels(enforce.level, old.policy.enforce.level) < 1) return;
    if (this.exemptNamespaces.has(name)) return this.warnIfExempt(request, policy, labels);
    const pods = this.api.cache.get("pods").list(name).map((cached) => (cached.object ?? JSON.parse(cached.json)) as KubeObject);
    request.ctx.warnings.push(...existingPodWarnings({ namespace: name, enforce, pods, evaluator: this.evaluator, now: () => Date.now() }));
  }

  private warnIfExempt(request: AdmissionRequest, policy: Policy, labels: Record<string, string> | undefined): void {
    if (!this.exemptNamespaces.has(request.name)) return;
    const warning = exemptNamespaceWarning(request.name, policy, this.config.defaults, labels ?? {});
    if (warning) request.ctx.warnings.push(warning);
  }

  private validatePod(request: AdmissionRequest): void {
    if (request.subresource !== undefined && IGNORED_POD_SUBRESOURCES.has(request.subresource)) return;
    if (this.exempt(request)) return;
    const policy = this.namespacePolicy(request.namespace);
    if (fullyPrivileged(policy)) return;
    const parts = podParts(request.def, request.object!)!;
    if (request.operation === "UPDATE" && request.oldObject && !significantPodUpdate(parts.spec, (request.oldObject.spec ?? {}) as PodSpec)) return;
    this.evaluate(request, policy, parts, true);
  }

  private validatePodController(request: AdmissionRequest): void {
    if (this.exempt(request)) return;
    const policy = this.namespacePolicy(request.namespace);
    if (policy.warn.level === "privileged" && policy.audit.level === "privileged") return;
    const parts = podParts(request.def, request.object!);
    if (parts) this.evaluate(request, policy, parts, false);
  }

  private evaluate(request: AdmissionRequest, policy: Policy, parts: PodParts, enforce: boolean): void {
    const verdicts = new Map<string, Verdict>();
    const results = new Map<CheckPod, CheckResult>();
    const verdictFor = (lv: LevelVersion) => {
      const key = levelVersionString(lv);
      let verdict = verdicts.get(key);
      if (!verdict) verdicts.set(key, (verdict = this.evaluator.evaluate(lv, parts.metadata, parts.spec, results)));
      return verdict;
    };
    if (enforce) {
      const verdict = verdictFor(policy.enforce);
      if (!verdict.allowed) throw podSecurityForbidden(request.def, request.name, `violates PodSecurity ${JSON.stringify(levelVersionString(policy.enforce))}: ${forbiddenDetail(verdict)}`);
    }
    const audit = verdictFor(policy.audit);
    if (!audit.allowed) {
      this.api.log.debug("PodSecurity audit violation", { namespace: request.namespace, name: request.name, kind: request.def.kind, policy: levelVersionString(policy.audit), violations: forbiddenDetail(audit) });
    }
    const warn = verdictFor(policy.warn);
    if (!warn.allowed) request.ctx.warnings.push(`would violate PodSecurity ${JSON.stringify(levelVersionString(policy.warn))}: ${forbiddenDetail(warn)}`);
  }

  private exempt(request: AdmissionRequest): boolean {
    return (request.namespace !== undefined && this.exemptNamespaces.has(request.namespace)) || this.exemptUsers.has(request.ctx.user.name);
  }

  /**
   * The namespace's policy, read from the watch cache (its labels are indexed there), worked out
   * once per revision of the labels: the cache keeps one labels object until they change.
   */
  private namespacePolicy(namespace: string | undefined): Policy {
    const cached = namespace === undefined ? undefined : this.api.cache.get(this.api.registry.storageResource(this.namespaces)).get(this.api.registry.key(this.namespaces, undefined, namespace));
    const labels = cached?.labels ?? NO_LABELS;
    let policy = this.policies.get(labels);
    if (!policy) this.policies.set(labels, (policy = policyFromLabels(labels, this.config.defaults).policy));
    return policy;
  }
}

/** upstream's NewForbidden: `pods "x" is forbidden: <why>`, reason Forbidden, 403. */
function podSecurityForbidden(def: ResourceDef, name: string, why: string): StatusError {
  const resource = def.group ? `${def.plural}.${def.group}` : def.plural;
  return new StatusError(403, "Forbidden", `${resource} ${JSON.stringify(name)} is forbidden: ${why}`, { name, group: def.group, kind: def.plural });
}

/** upstream's isSignificantPodUpdate: only image changes and added containers can change the verdict. */
function significantPodUpdate(spec: PodSpec, old: PodSpec): boolean {
  const differs = (a: PodSpec["containers"] = [], b: PodSpec["containers"] = []) => a.length !== b.length || a.some((c, i) => c.image !== b[i]?.image);
  if (differs(spec.containers, old.containers) || differs(spec.initContainers, old.initContainers)) return true;
  return (spec.ephemeralContainers ?? []).some((c) => {
    const before = (old.ephemeralContainers ?? []).find((o) => o.name === c.name);
    return !before || before.image !== c.image;
  });
}
