// IntOrString fields that count pods (maxSurge, maxUnavailable, minAvailable): a plain number, or
// "N%" of a total (upstream intstrutil.GetScaledValueFromIntOrPercent). The caller chooses the
// rounding, as upstream does: a Deployment's maxUnavailable rounds down; its maxSurge, a DaemonSet's
// maxSurge and maxUnavailable, and a PodDisruptionBudget's values round up.
import { parseGoInt } from "./parse-int.js";

/** intstrutil.GetScaledValueFromIntOrPercent. */
export function getValueFromIntOrPercent(value: number | string | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === "number") return value;
  if (!value.endsWith("%")) throw new Error("invalid type: string is not a percentage");
  const percent = parseGoInt(value.slice(0, -1));
  if (percent === undefined) throw new Error(`invalid value ${JSON.stringify(value)}: not an integer percentage`);
  const scaled = (percent * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}
