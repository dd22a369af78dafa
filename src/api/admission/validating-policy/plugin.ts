// The ValidatingAdmissionPolicy admission plugin (upstream's plugin/policy/validating dispatcher):
// every policy whose matchConstraints match the request is evaluated for each of its bindings
// that match, once per param; failed validations act as the binding's validationActions say (Deny
// refuses with upstream's message, Warn adds a warning, Audit is logged). Policies are compiled
// once per generation and the compiled form is cached. The admission configuration kinds
// themselves are exempt, as upstream's, so a bad policy can always be removed.
import type { ApiContext } from "../../handlers/api-context.js";
import type { KubeObject } from "../../resource.js";
import { recordAt, stringAt, stringsAt } from "../../resources/object-fields.js";
import type { StatusReason } from "../../errors.js";
import type { AdmissionPlugin, AdmissionRequest } from "../admission.js";
import { admissionAttributes, admissionReviewRequest, type AdmissionAttributes } from "../attributes.js";
import { AdmissionCel } from "../cel/environment.js";
import { toCel } from "../cel/values.js";
import { admissionForbidden } from "../forbidden.js";
import { matchResourcesMatch } from "../match-rules.js";
import { compilePolicy, type CompiledPolicy } from "./compile.js";
import { evaluatePolicy, extend, lazyActivation, type Activation, type PolicyDecision } from "./evaluate.js";
import { collectParams } from "./params.js";

const POLICIES = "validatingadmissionpolicies";
const BINDINGS = "validatingadmissionpolicybindings";
export const ADMISSION_REGISTRATION_GROUP = "admissionregistration.k8s.io";

interface Denial extends PolicyDecision {
  policy: string;
  binding?: string;
}

export class ValidatingAdmissionPolicyPlugin implements AdmissionPlugin {
  readonly name = "ValidatingAdmissionPolicy";
  #cel: AdmissionCel | undefined;
  readonly #compiled = new Map<string, { revision: number; generation: string; policy: CompiledPolicy }>();
  readonly #bindings = new Map<string, { revision: number; binding: KubeObject }>();

  constructor(private readonly api: ApiContext) {}

  async validate(request: AdmissionRequest): Promise<void> {
    if (request.def.group === ADMISSION_REGISTRATION_GROUP) return;
    const policies = this.api.cache.get(POLICIES);
    if (policies.size === 0) return;
    await this.api.cache.waitFresh();
    const attrs = admissionAttributes(request);
    const bindings = this.bindingsByPolicy();
    const denials: Denial[] = [];
    // The CEL view of the request is built once, and each variable only when an expression reads it.
    let activation: Activation | undefined;
    const base = () => (activation ??= this.activation(attrs));
    for (const cached of policies.list(undefined)) {
      // As upstream, only a policy with bindings takes part; one without is never even compiled.
      const policyBindings = bindings.get(cached.name);
      if (!policyBindings) continue;
      const policy = this.compiled(cached.key, cached.revision, cached.json);
      if (!matchResourcesMatch(policy.matchConstraints, attrs, this.api.cache)) continue;
      if (policy.errors.length > 0) {
        const first = policy.errors[0]!;
        this.configError(denials, policy, undefined, `${first.field}: compilation failed: ${first.message}`);
        continue;
      }
      for (const binding of policyBindings) await this.applyBinding(policy, binding, attrs, base, denials);
    }
    this.pruneCompiled(policies.size);
    const denial = denials[0];
    if (!denial) return;
    const message = denial.binding
      ? `ValidatingAdmissionPolicy '${denial.policy}' with binding '${denial.binding}' denied request: ${denial.message}`
      : `ValidatingAdmissionPolicy '${denial.policy}' denied request: ${denial.message}`;
    const reason = (denial.reason ?? "Invalid") as StatusReason;
    throw admissionForbidden(request, message, reason, reasonToCode(reason), [{ message }]);
  }

  private async applyBinding(policy: CompiledPolicy, binding: KubeObject, attrs: AdmissionAttributes, activation: () => Activation, denials: Denial[]): Promise<void> {
    const bindingName = binding.metadata?.name ?? "";
    const matchResources = recordAt(binding, "spec", "matchResources");
    if (matchResources && !matchResourcesMatch(matchResources, attrs, this.api.cache, true)) return;
    let params: (KubeObject | null)[];
    try {
      params = await collectParams(this.api, policy, binding, attrs.request.namespace);
    } catch (err) {
      this.configError(denials, policy, bindingName, err instanceof Error ? err.message : String(err));
      return;
    }
    const actions = stringsAt(binding, "spec", "validationActions");
    for (const param of params) {
      for (const decision of evaluatePolicy(policy, extend(activation(), { params: param === null ? null : toCel(param) }))) {
        if (decision.action !== "deny") continue;
        if (actions.includes("Deny")) denials.push({ ...decision, policy: policy.name, binding: bindingName });
        if (actions.includes("Warn")) attrs.request.ctx.warnings.push(`Validation failed for ValidatingAdmissionPolicy '${policy.name}' with binding '${bindingName}': ${decision.message}`);
        if (actions.includes("Audit")) this.api.log.info("validating admission policy audit", { policy: policy.name, binding: bindingName, message: decision.message });
      }
    }
  }

  /** upstream addConfigError: Ignore skips the policy, Fail denies with "failed to configure ...". */
  private configError(denials: Denial[], policy: CompiledPolicy, binding: string | undefined, why: string): void {
    if (policy.failurePolicy === "Ignore") return;
    denials.push({ action: "deny", policy: policy.name, binding, message: `failed to configure ${binding ? "binding" : "policy"}: ${why}` });
  }

  private activation(attrs: AdmissionAttributes): Activation {
    return lazyActivation({
      object: () => toCel(attrs.object),
      oldObject: () => toCel(attrs.oldObject),
      request: () => {
        const { object: _object, oldObject: _oldObject, ...request } = admissionReviewRequest(attrs, "");
        return toCel(request);
      },
      namespaceObject: () => toCel(this.namespaceObject(attrs)),
    });
  }

  /** upstream CreateNamespaceObject: the request's namespace (none for cluster-scoped kinds and Namespaces themselves). */
  private namespaceObject(attrs: AdmissionAttributes): KubeObject | null {
    const { def, namespace } = attrs.request;
    if (!namespace || (def.group === "" && def.plural === "namespaces")) return null;
    const cached = this.api.cache.get("namespaces").get(`/registry/namespaces/${namespace}`);
    if (!cached) return null;
    const ns = JSON.parse(cached.json) as KubeObject;
    const meta = ns.metadata ?? {};
    return {
      metadata: { name: meta.name, generateName: meta.generateName, namespace: meta.namespace, uid: meta.uid, resourceVersion: meta.resourceVersion, generation: meta.generation, creationTimestamp: meta.creationTimestamp, deletionTimestamp: meta.deletionTimestamp, deletionGracePeriodSeconds: meta.deletionGracePeriodSeconds, labels: meta.labels, annotations: meta.annotations, finalizers: meta.finalizers },
      spec: ns.spec,
      status: ns.status,
    };
  }

  /** The bindings grouped by policy name, decoded once per resourceVersion. */
  private bindingsByPolicy(): Map<string, KubeObject[]> {
    const byPolicy = new Map<string, KubeObject[]>();
    const bindings = this.api.cache.get(BINDINGS);
    for (const key of this.#bindings.keys()) if (!bindings.get(key)) this.#bindings.delete(key);
    for (const cached of bindings.list(undefined)) {
      let decoded = this.#bindings.get(cached.key);
      if (!decoded || decoded.revision !== cached.revision) this.#bindings.set(cached.key, (decoded = { revision: cached.revision, binding: JSON.parse(cached.json) as KubeObject }));
      const binding = decoded.binding;
      const name = stringAt(binding, "spec", "policyName") ?? "";
      byPolicy.set(name, [...(byPolicy.get(name) ?? []), binding]);
    }
    return byPolicy;
  }

  /** The compiled policy, compiled again only when its generation changed (not on status writes). */
  private compiled(key: string, revision: number, json: string): CompiledPolicy {
    const found = this.#compiled.get(key);
    if (found && found.revision === revision) return found.policy;
    const object = JSON.parse(json) as KubeObject;
    const generation = `${object.metadata?.uid}/${object.metadata?.generation}`;
    if (found && found.generation === generation) {
      found.revision = revision;
      return found.policy;
    }
    const policy = compilePolicy((this.#cel ??= new AdmissionCel()), object);
    this.#compiled.set(key, { revision, generation, policy });
    return policy;
  }

  /** Forgets deleted policies once the cache holds more compiled entries than policies exist. */
  private pruneCompiled(live: number): void {
    if (this.#compiled.size <= live) return;
    const policies = this.api.cache.get(POLICIES);
    for (const key of this.#compiled.keys()) if (!policies.get(key)) this.#compiled.delete(key);
  }
}

/** upstream reasonToCode: the HTTP code of a validation's reason. */
function reasonToCode(reason: StatusReason): number {
  return { Forbidden: 403, Unauthorized: 401, RequestEntityTooLarge: 413, Invalid: 422 }[reason as string] ?? 422;
}
