// Server-side apply conflicts and the 409 they become, worded as upstream's fieldmanager words
// them (NewConflictError): `Apply failed with 1 conflict: conflict with "mgr" using apps/v1:
// .spec.replicas`, or for several, one "conflicts with" block per manager; each conflict is also a
// `FieldManagerConflict` cause whose field is the path. Pure.
import { StatusError, type StatusCause } from "../errors.js";
import { pathString, type FieldPath } from "./field-path.js";
import type { FieldSet } from "./field-set.js";
import { printManager, type ManagerInfo, type Managers } from "./managers.js";

export interface Conflict {
  /** The manager identity (managers.ts managerKey), which orders the message. */
  key: string;
  manager: ManagerInfo;
  path: FieldPath;
}

/** The fields of `changed` that managers other than `self` own, manager by manager (sorted by identity). */
export function findConflicts(managers: Managers, self: string, changed: FieldSet): Conflict[] {
  const conflicts: Conflict[] = [];
  for (const key of [...managers.keys()].sort()) {
    const managed = managers.get(key);
    if (key === self || !managed) continue;
    for (const path of managed.set.intersection(changed).paths()) conflicts.push({ key, manager: managed, path });
  }
  return conflicts;
}

export function conflictError(conflicts: readonly Conflict[]): StatusError {
  const causes: StatusCause[] = conflicts.map((conflict) => ({
    reason: "FieldManagerConflict",
    message: `conflict with ${printManager(conflict.manager)}`,
    field: pathString(conflict.path),
  }));
  return new StatusError(409, "Conflict", conflictMessage(conflicts), { causes });
}

function conflictMessage(conflicts: readonly Conflict[]): string {
  const [only] = conflicts;
  if (conflicts.length === 1 && only) {
    return `Apply failed with 1 conflict: conflict with ${printManager(only.manager)}: ${pathString(only.path)}`;
  }
  const lines: string[] = [];
  for (const key of [...new Set(conflicts.map((c) => c.key))].sort()) {
    const mine = conflicts.filter((c) => c.key === key);
    lines.push(`conflicts with ${printManager(mine[0]?.manager ?? { manager: key, operation: "Apply", apiVersion: "" })}:`);
    for (const conflict of mine) lines.push(`- ${pathString(conflict.path)}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
}
