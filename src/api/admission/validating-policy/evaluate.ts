// One policy evaluated for one request and one param (upstream's validator.Validate): the
// matchConditions decide whether it applies (an error follows failurePolicy), then each validation
// admits or denies; variables are computed lazily, at most once, when an expression reads them.
import { celToString } from "../cel/values.js";
import type { CompiledPolicy, CompiledValidation, NamedProgram } from "./compile.js";

export interface PolicyDecision {
  action: "admit" | "deny";
  message: string;
  /** The Status reason of a failed validation (default Invalid); unset for evaluation errors. */
  reason?: string;
}

/** The CEL activation of one evaluation; `variables` is added by evaluatePolicy. */
export type Activation = Record<string, unknown>;

/** An activation whose values are computed on first read (the library reads them as properties). */
export function lazyActivation(values: Record<string, () => unknown>): Activation {
  const activation: Activation = {};
  for (const [name, compute] of Object.entries(values)) {
    let cached: { value: unknown } | undefined;
    Object.defineProperty(activation, name, { enumerable: true, get: () => (cached ??= { value: compute() }).value });
  }
  return activation;
}

/** base with more values, without reading base's lazy ones (a spread would compute them all). */
export function extend(base: Activation, values: Activation): Activation {
  return Object.assign(Object.create(base) as Activation, values);
}

const MAX_MESSAGE_BYTES = 5 * 1024;

export function evaluatePolicy(policy: CompiledPolicy, base: Activation): PolicyDecision[] {
  const activation = extend(base, { variables: lazyVariables(policy.variables, base) });
  const onError = (err: unknown): PolicyDecision => ({ action: policy.failurePolicy === "Ignore" ? "admit" : "deny", message: errorText(err) });
  for (const condition of policy.matchConditions) {
    try {
      if (condition.program(activation) !== true) return [];
    } catch (err) {
      return [onError(new Error(`expression '${condition.name}' resulted in error: ${errorText(err)}`))];
    }
  }
  return policy.validations.map((validation) => {
    try {
      if (validation.program(activation) === true) return { action: "admit", message: "" };
    } catch (err) {
      return onError(err);
    }
    return { action: "deny", message: failureMessage(validation, activation), reason: validation.reason ?? "Invalid" };
  });
}

/** messageExpression (a one-line string), else message, else "failed expression: <expression>". */
function failureMessage(validation: CompiledValidation, activation: Activation): string {
  if (validation.messageExpression) {
    try {
      const value = validation.messageExpression(activation);
      if (typeof value === "string") {
        const message = value.trim();
        if (message !== "" && message.length <= MAX_MESSAGE_BYTES && !message.includes("\n")) return message;
      }
    } catch {
      // upstream logs a failing messageExpression and falls back to the message.
    }
  }
  if (validation.message?.trim()) return validation.message.trim();
  return `failed expression: ${validation.expression.trim()}`;
}

/**
 * A Map whose get evaluates the named variable on first use: the library reads maps through get,
 * so an unused variable costs nothing and a failing one fails only the expressions that read it.
 */
function lazyVariables(variables: NamedProgram[], base: Activation): Map<string, unknown> {
  const values = new Map<string, unknown>();
  const byName = new Map(variables.map((v) => [v.name, v]));
  const lazy = new Map<string, unknown>();
  lazy.get = (name: string) => {
    if (values.has(name)) return values.get(name);
    const variable = byName.get(name);
    if (!variable) return undefined;
    const value = variable.program(extend(base, { variables: lazy }));
    values.set(name, value);
    return value;
  };
  lazy.has = (name: string) => byName.has(name);
  return lazy;
}

function errorText(err: unknown): string {
  const message = err instanceof Error ? err.message : celToString(err);
  return message.split("\n")[0] ?? message;
}
