// The CEL environments admission expressions compile in (upstream's admission CEL environment):
// `object`, `oldObject`, `request`, `namespaceObject`, `variables` and, when the policy has a
// paramKind, `params`; the standard library plus Kubernetes' common extensions; optional types.
// Creating an Environment is the expensive part, so one AdmissionCel is made per owner and reused.
import { Environment } from "@marcbachmann/cel-js";
import { registerKubernetesLibrary } from "./kubernetes-library.js";

export interface CelProgram {
  (activation: Record<string, unknown>): unknown;
}

export interface CompileResult {
  program?: CelProgram;
  error?: string;
}

export class AdmissionCel {
  readonly #withParams: Environment;
  readonly #withoutParams: Environment;

  constructor() {
    const base = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false });
    for (const name of ["object", "oldObject", "namespaceObject"]) base.registerVariable(name, "dyn");
    base.registerVariable("request", "map");
    base.registerVariable("variables", "map");
    registerKubernetesLibrary(base);
    this.#withoutParams = base.clone();
    this.#withParams = base.clone().registerVariable("params", "dyn");
  }

  /** Parses and type-checks an expression; the error reads as upstream's "compilation failed: ..." detail. */
  compile(expression: string, hasParams: boolean): CompileResult {
    const env = hasParams ? this.#withParams : this.#withoutParams;
    try {
      const checked = env.check(expression);
      if (!checked.valid) return { error: firstLine(checked.error?.message ?? "type check failed") };
      const parsed = env.parse(expression);
      return { program: (activation) => parsed(activation) };
    } catch (err) {
      return { error: firstLine(err instanceof Error ? err.message : String(err)) };
    }
  }
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}
