// Building blocks for server-side printing as upstream's pkg/printers/internalversion does it: the
// NAME and AGE columns every printer starts and ends with, container/image cells for wide output,
// and labels.FormatLabels (selectors print through label-selectors.ts).
import type { KubeObject, TableColumn } from "../resource.js";
import { sinceTimestamp } from "./duration.js";
import { recordsAt, stringAt } from "./object-fields.js";

const NAME_DESCRIPTION =
  "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const AGE_DESCRIPTION =
  "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

export const CONTAINERS_DESCRIPTION = "Names of each container in the template.";
export const IMAGES_DESCRIPTION = "Images referenced by each container in the template.";

/** The first column of every upstream printer. */
export function nameColumn(): TableColumn {
  return { name: "Name", type: "string", format: "name", description: NAME_DESCRIPTION, priority: 0 };
}

export function ageColumn(): TableColumn {
  return { name: "Age", type: "string", description: AGE_DESCRIPTION, priority: 0 };
}

/** A column shown by default. */
export function column(name: string, type: TableColumn["type"], description: string): TableColumn {
  return { name, type, description, priority: 0 };
}

/** A column shown only with `-o wide`. */
export function wideColumn(name: string, type: TableColumn["type"], description: string): TableColumn {
  return { name, type, description, priority: 1 };
}

export function nameOf(obj: KubeObject): string {
  return obj.metadata?.name ?? "";
}

/** The AGE cell: upstream's translateTimestampSince(creationTimestamp). */
export function ageOf(obj: KubeObject, now: Date): string {
  return sinceTimestamp(obj.metadata?.creationTimestamp, now);
}

/** Upstream's layoutContainerCells: container names and images, comma-separated. */
export function containerCells(podSpec: unknown): [names: string, images: string] {
  const containers = recordsAt(podSpec, "containers");
  return [containers.map((c) => stringAt(c, "name") ?? "").join(","), containers.map((c) => stringAt(c, "image") ?? "").join(",")];
}

/** labels.FormatLabels: "k=v,k2=v2" sorted by key, or "<none>". */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return "<none>";
  return keys.map((k) => `${k}=${labels?.[k] ?? ""}`).join(",");
}

/** "True"/"False"/"<unset>" as upstream's printBoolPtr. */
export function printBoolPtr(value: boolean | undefined): string {
  if (value === undefined) return "<unset>";
  return value ? "True" : "False";
}

/** Upstream's listWithMoreString: at most `max` items, then "+ N more...", "<unset>" when empty. */
export function listWithMore(items: string[], max: number): string {
  const shown = items.slice(0, max).join(",");
  if (items.length > max) return `${shown} + ${items.length - max} more...`;
  return shown === "" ? "<unset>" : shown;
}
