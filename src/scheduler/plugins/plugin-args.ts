// Reading plugin args (the profile's pluginConfig) with the checks upstream's config validation makes,
// so a typo fails when the profile is built rather than silently scheduling differently.
import type { PluginArgs } from "../framework.js";
import type { ResourceSpec } from "./resource-allocation.js";

export function stringListArg(args: PluginArgs | undefined, key: string): string[] {
  const v = args?.[key];
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === "string")) throw new Error(`${key}: must be a list of strings`);
  return v;
}

export function numberArg(args: PluginArgs | undefined, key: string, fallback: number): number {
  const v = args?.[key];
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${key}: must be a number`);
  return v;
}

/** A resources list ([{name, weight}]); weights 1–100 as upstream validateResources. */
export function resourcesArg(value: unknown, path: string, fallback: readonly ResourceSpec[]): readonly ResourceSpec[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value)) throw new Error(`${path}: must be a list`);
  return value.map((r: unknown, i) => {
    const entry = (r ?? {}) as { name?: unknown; weight?: unknown };
    if (typeof entry.name !== "string" || entry.name === "") throw new Error(`${path}[${i}].name: Required value`);
    const weight = entry.weight ?? 1;
    if (typeof weight !== "number" || !Number.isInteger(weight) || weight < 1 || weight > 100) {
      throw new Error(`${path}[${i}].weight: Invalid value: ${String(weight)}: resource weight of ${entry.name} should be in range [1, 100]`);
    }
    return { name: entry.name, weight };
  });
}
