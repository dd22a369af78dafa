// metadata.managedFields as upstream's fieldmanager models it: one field set per manager identity,
// where an identity is manager + operation + subresource, plus apiVersion for Update (appliers
// keep one entry across versions: upstream's BuildManagerIdentifier). Decoding, encoding (entries
// sorted by operation, time, manager, apiVersion, subresource, as upstream sorts them), the cap of
// 10 Update entries (older ones fold into "ancient-changes"), and how a manager is named in
// conflict messages. Pure functions: a Managers map is built fresh by every decode.
import type { ManagedFieldsEntry } from "../resource.js";
import { FieldSet } from "./field-set.js";
import { isJsonObject, type JsonObject } from "./json-value.js";

export type Operation = "Apply" | "Update";

export interface ManagerInfo {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource?: string;
}

export interface ManagedSet extends ManagerInfo {
  set: FieldSet;
  time?: string;
}

/** Field sets by manager identity (see managerKey). */
export type Managers = Map<string, ManagedSet>;

export const MAX_UPDATE_MANAGERS = 10;
export const ANCIENT_CHANGES_MANAGER = "ancient-changes";

export function managerKey(info: ManagerInfo): string {
  return JSON.stringify({
    manager: info.manager,
    operation: info.operation,
    apiVersion: info.operation === "Apply" ? undefined : info.apiVersion,
    subresource: info.subresource || undefined,
  });
}

/**
 * Parses managedFields; throws an Error naming the bad entry. Undefined decodes to no managers.
 * `stored`: they come from a stored object, so this server encoded them (see fromStoredFieldsV1).
 */
export function decodeManagedFields(entries: readonly ManagedFieldsEntry[] | undefined, stored = false): Managers {
  const managers: Managers = new Map();
  (entries ?? []).forEach((entry, index) => {
    if (entry.operation !== "Apply" && entry.operation !== "Update") throw new Error(`managedFields[${index}]: operation must be \`Apply\` or \`Update\``);
    if (!entry.apiVersion) throw new Error(`managedFields[${index}]: apiVersion must not be empty`);
    if (entry.fieldsType !== "FieldsV1") throw new Error(`managedFields[${index}]: invalid fieldsType ${JSON.stringify(entry.fieldsType ?? "")}`);
    const info: ManagedSet = {
      manager: entry.manager ?? "", operation: entry.operation, apiVersion: entry.apiVersion,
      set: stored ? FieldSet.fromStoredFieldsV1(entry.fieldsV1 ?? {}) : FieldSet.fromFieldsV1(entry.fieldsV1 ?? {}),
    };
    if (entry.subresource) info.subresource = entry.subresource;
    if (entry.time) info.time = entry.time;
    managers.set(managerKey(info), info);
  });
  return managers;
}

/** Encodes managers as managedFields entries, or undefined when there are none. */
export function encodeManagedFields(managers: Managers): ManagedFieldsEntry[] | undefined {
  if (managers.size === 0) return undefined;
  return [...managers.values()].sort(compareEntries).map(encodeEntry);
}

function encodeEntry(managed: ManagedSet): ManagedFieldsEntry {
  return managedFieldsEntry(managed, managed.time, managed.set.toFieldsV1());
}

/** One managedFields entry, its keys in upstream's order. */
export function managedFieldsEntry(info: ManagerInfo, time: string | undefined, fieldsV1: JsonObject): ManagedFieldsEntry {
  const entry: ManagedFieldsEntry = { manager: info.manager, operation: info.operation, apiVersion: info.apiVersion };
  if (time) entry.time = time;
  entry.fieldsType = "FieldsV1";
  entry.fieldsV1 = fieldsV1;
  if (info.subresource) entry.subresource = info.subresource;
  return entry;
}

function compareEntries(a: ManagedSet, b: ManagedSet): number {
  const seconds = (m: ManagedSet) => (m.time ? Math.floor(Date.parse(m.time) / 1000) : 0);
  return compare(a.operation, b.operation) || seconds(a) - seconds(b) || compare(a.manager, b.manager) ||
    compare(a.apiVersion, b.apiVersion) || compare(a.subresource ?? "", b.subresource ?? "");
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** upstream capManagersManager: past 10 Update entries, the oldest fold into one "ancient-changes" entry per apiVersion. */
export function capUpdateManagers(managers: Managers, max = MAX_UPDATE_MANAGERS): Managers {
  const updaters = [...managers.entries()].filter(([, m]) => m.operation === "Update");
  if (updaters.length <= max) return managers;
  const out: Managers = new Map(managers);
  updaters.sort(([ka, a], [kb, b]) => compareTimes(a, b) || compare(ka, kb));
  let count = updaters.length;
  const firstByVersion = new Map<string, string>();
  for (const [key, managed] of updaters) {
    if (count <= max) break;
    const first = firstByVersion.get(managed.apiVersion);
    if (first === undefined) {
      firstByVersion.set(managed.apiVersion, key);
      continue;
    }
    foldIntoAncient(out, first, key, managed);
    count--;
  }
  return out;
}

function compareTimes(a: ManagedSet, b: ManagedSet): number {
  return (a.time ? Date.parse(a.time) : 0) - (b.time ? Date.parse(b.time) : 0);
}

function foldIntoAncient(managers: Managers, firstKey: string, key: string, managed: ManagedSet): void {
  const bucketInfo: ManagerInfo = { manager: ANCIENT_CHANGES_MANAGER, operation: "Update", apiVersion: managed.apiVersion };
  const bucketKey = managerKey(bucketInfo);
  let bucket = managers.get(bucketKey);
  if (!bucket) {
    const first = managers.get(firstKey);
    managers.delete(firstKey);
    bucket = { ...bucketInfo, set: first?.set ?? new FieldSet() };
  }
  const folded: ManagedSet = { ...bucketInfo, set: managed.set.union(bucket.set) };
  if (managed.time) folded.time = managed.time;
  managers.set(bucketKey, folded);
  managers.delete(key);
}

/** How upstream names a manager in conflicts: `"kubectl"`, `"x" using apps/v1`, `"x" with subresource "status" using v1`. */
export function printManager(info: ManagerInfo): string {
  let name = JSON.stringify(info.manager);
  if (info.subresource) name = `${name} with subresource ${JSON.stringify(info.subresource)}`;
  return info.operation === "Update" ? `${name} using ${info.apiVersion}` : name;
}

/** Whether a client's managedFields ask for a reset: `[]` or `[{}]` (upstream isResetManagedFields). */
export function isResetManagedFields(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  return entries.length === 1 && isJsonObject(entries[0]) && Object.keys(entries[0]).length === 0;
}
