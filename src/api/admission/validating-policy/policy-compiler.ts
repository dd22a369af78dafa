// The compiler that checks a ValidatingAdmissionPolicy's expressions when the policy itself is
// written (upstream's strategy compiles them at validation and refuses a policy that does not
// compile). Validation is synchronous and the CEL engine is loaded only when needed (ADR 0021), so
// the admission chain's mutating phase, which runs before validation, loads it for such writes.
import type { KubeObject } from "../../resource.js";
import type { CompileError } from "./compile.js";

export type PolicyCompiler = (policy: KubeObject) => CompileError[];

let loading: Promise<PolicyCompiler> | undefined;
let loaded: PolicyCompiler | undefined;

export function loadPolicyCompiler(): Promise<PolicyCompiler> {
  loading ??= Promise.all([import("../cel/environment.js"), import("./compile.js")]).then(([{ AdmissionCel }, { policyCompileErrors }]) => {
    const cel = new AdmissionCel();
    return (loaded = (policy) => policyCompileErrors(cel, policy));
  });
  return loading;
}

/** The compiler, once loadPolicyCompiler has loaded it. */
export function policyCompiler(): PolicyCompiler {
  if (!loaded) throw new Error("the ValidatingAdmissionPolicy compiler is not loaded: admission loads it before a policy is validated");
  return loaded;
}
