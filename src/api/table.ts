// Server-side printing: meta.k8s.io/v1 Table replies for `kubectl get`, with each kind's columns
// (ResourceDef.table) or upstream's default NAME/AGE table for kinds without printers.
import type { KubeObject, ResourceDef, TableColumn, TableDef } from "./resource.js";

export type IncludeObject = "None" | "Metadata" | "Object";

/** True when the Accept header asks for a meta.k8s.io Table (kubectl get does). */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(",").some((part) => {
    const params = part.split(";").map((p) => p.trim());
    return params.includes("as=Table") && params.includes("g=meta.k8s.io") && (params.includes("v=v1") || params.includes("v=v1beta1"));
  });
}

const DEFAULT_TABLE: TableDef = {
  columns: [
    { name: "Name", type: "string", format: "name", description: "Name must be unique within a namespace.", priority: 0 },
    { name: "Created At", type: "date", description: "CreationTimestamp is a timestamp representing the server time when this object was created.", priority: 0 },
  ],
  cells: (obj) => [obj.metadata?.name ?? "", obj.metadata?.creationTimestamp ?? ""],
};

export function tableDef(def: ResourceDef): TableDef {
  return def.table ?? DEFAULT_TABLE;
}

export function columnDefinitions(def: ResourceDef): TableColumn[] {
  return tableDef(def).columns;
}

export interface TableRow {
  cells: unknown[];
  object?: unknown;
}

export function tableRow(def: ResourceDef, obj: KubeObject, include: IncludeObject, now: Date): TableRow {
  const row: TableRow = { cells: tableDef(def).cells(obj, now) };
  if (include === "Object") row.object = obj;
  else if (include === "Metadata") row.object = { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata ?? {} };
  return row;
}

export function table(def: ResourceDef, rows: TableRow[], listMeta: Record<string, unknown>): Record<string, unknown> {
  return { kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: listMeta, columnDefinitions: columnDefinitions(def), rows };
}
