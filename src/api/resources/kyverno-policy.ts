// kyverno.io/v1 ClusterPolicy (cpol, cluster-scoped) and Policy (pol, namespaced): Kyverno's policy
// kinds, served built in so that Kyverno policies apply unchanged (ADR 0018). Upstream serves them
// from CRDs, so no generated schema exists: the objects are kept as written, checked here for what
// the engine needs (named, uniquely named rules that say what they match and how they validate).
// The status is derived from the spec on every write, as Kyverno's controller would set it: the
// auto-generated pod-controller rules, the rule counts and a Ready condition.
import { autogenRules } from "../admission/kyverno/autogen.js";
import type { PolicySpec, Rule } from "../admission/kyverno/policy.js";
import { rfc3339 } from "../meta-time.js";
import type { KubeObject, ResourceDef, TableColumn } from "../resource.js";
import { ALL_VERBS } from "../resource.js";
import { invalid, notSupported, required, type FieldError } from "../validation/field-errors.js";
import { ageColumn, ageOf, column, nameColumn, nameOf, wideColumn } from "./printing.js";

const FAILURE_ACTIONS = ["Audit", "Enforce", "audit", "enforce"];
const RULE_NAME_MAX = 63;

export function clusterPolicyResource(): ResourceDef {
  return { ...policyResource(), kind: "ClusterPolicy", plural: "clusterpolicies", singular: "clusterpolicy", namespaced: false, shortNames: ["cpol"] };
}

export function namespacedPolicyResource(): ResourceDef {
  return { ...policyResource(), kind: "Policy", plural: "policies", singular: "policy", namespaced: true, shortNames: ["pol"] };
}

function policyResource(): Omit<ResourceDef, "kind" | "plural" | "singular" | "namespaced"> {
  return {
    group: "kyverno.io",
    version: "v1",
    categories: ["kyverno"],
    verbs: ALL_VERBS,
    defaults: defaultPolicy,
    prepareForCreate: (obj) => setStatus(obj, undefined, obj.metadata?.creationTimestamp ?? new Date(0).toISOString()),
    prepareForUpdate: (obj, old, { now }) => setStatus(obj, old, rfc3339(now)),
    validate: validatePolicy,
    table: policyTable(),
  };
}

function specOf(obj: KubeObject): PolicySpec {
  return (obj.spec ?? {}) as PolicySpec;
}

/** Kyverno's CRD defaults: admission and background scanning on. */
function defaultPolicy(obj: KubeObject): void {
  const spec = (obj.spec ??= {}) as PolicySpec;
  spec.admission ??= true;
  spec.background ??= true;
}

function setStatus(obj: KubeObject, old: KubeObject | undefined, now: string): void {
  const spec = specOf(obj);
  const rules = spec.rules ?? [];
  const previous = (old?.status as { conditions?: { type: string; lastTransitionTime?: string }[] } | undefined)?.conditions?.find((c) => c.type === "Ready");
  obj.status = {
    autogen: { rules: autogenRules(rules, obj.metadata?.annotations) },
    conditions: [{ type: "Ready", status: "True", reason: "Succeeded", message: "Ready", lastTransitionTime: previous?.lastTransitionTime ?? now }],
    ready: true,
    rulecount: {
      validate: rules.filter((r) => r.validate).length,
      mutate: rules.filter((r) => r.mutate).length,
      generate: rules.filter((r) => r.generate).length,
      verifyimages: rules.filter((r) => r.verifyImages).length,
    },
  };
}

function validatePolicy(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  if (spec.validationFailureAction !== undefined && !FAILURE_ACTIONS.includes(spec.validationFailureAction)) {
    errs.push(notSupported("spec.validationFailureAction", spec.validationFailureAction, FAILURE_ACTIONS));
  }
  const rules = spec.rules;
  if (!Array.isArray(rules) || rules.length === 0) return [...errs, required("spec.rules", "a policy needs at least one rule")];
  const seen = new Set<string>();
  rules.forEach((rule: Rule, i) => {
    const path = `spec.rules[${i}]`;
    if (!rule.name) errs.push(required(`${path}.name`, ""));
    else if (rule.name.length > RULE_NAME_MAX) errs.push(invalid(`${path}.name`, rule.name, `must be no more than ${RULE_NAME_MAX} characters`));
    else if (seen.has(rule.name)) errs.push(invalid(`${path}.name`, rule.name, "rule names must be unique"));
    seen.add(rule.name);
    if (!rule.match) errs.push(required(`${path}.match`, "a rule must say which resources it matches"));
    const validate = rule.validate;
    if (validate) {
      const kinds = [validate.pattern, validate.anyPattern, validate.deny, validate.foreach].filter((v) => v !== undefined).length;
      if (kinds !== 1) errs.push(invalid(`${path}.validate`, "", "exactly one of pattern, anyPattern, deny and foreach is required"));
      if (validate.foreach !== undefined && (!Array.isArray(validate.foreach) || validate.foreach.some((f) => typeof f?.list !== "string"))) errs.push(invalid(`${path}.validate.foreach`, "", "each entry needs a list expression"));
      if (validate.anyPattern !== undefined && !Array.isArray(validate.anyPattern)) errs.push(invalid(`${path}.validate.anyPattern`, "", "must be a list of patterns"));
      if (validate.failureAction !== undefined && !FAILURE_ACTIONS.includes(validate.failureAction)) errs.push(notSupported(`${path}.validate.failureAction`, validate.failureAction, FAILURE_ACTIONS));
    }
  });
  return errs;
}

/** Columns of Kyverno's CRD: NAME ADMISSION BACKGROUND READY AGE MESSAGE (+ failure policy and rule counts wide). */
function policyTable(): NonNullable<ResourceDef["table"]> {
  const columns: TableColumn[] = [
    nameColumn(),
    column("ADMISSION", "boolean", "Whether the policy is applied at admission."),
    column("BACKGROUND", "boolean", "Whether the policy is applied to existing resources."),
    column("READY", "string", "Whether the policy is ready."),
    ageColumn(),
    wideColumn("FAILURE POLICY", "string", "What happens when the policy cannot be evaluated."),
    wideColumn("VALIDATE", "integer", "Number of validate rules."),
    wideColumn("MUTATE", "integer", "Number of mutate rules."),
    wideColumn("GENERATE", "integer", "Number of generate rules."),
    wideColumn("VERIFY IMAGES", "integer", "Number of verifyImages rules."),
    column("MESSAGE", "string", "The Ready condition's message."),
  ];
  return {
    columns,
    cells: (obj, now) => {
      const spec = specOf(obj);
      const status = (obj.status ?? {}) as { conditions?: { type: string; status?: string; message?: string }[]; rulecount?: Record<string, number> };
      const ready = status.conditions?.find((c) => c.type === "Ready");
      const count = (key: string) => status.rulecount?.[key] ?? 0;
      return [nameOf(obj), spec.admission ?? true, spec.background ?? true, ready?.status ?? "", ageOf(obj, now), spec.failurePolicy ?? "", count("validate"), count("mutate"), count("generate"), count("verifyimages"), ready?.message ?? ""];
    },
  };
}
