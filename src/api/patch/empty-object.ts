// The object a create is compared against when its managed fields are computed. Upstream compares
// against a new, empty Go object, whose value-typed (non-pointer) structs are present as `{}`:
// metadata, spec and status, a workload's pod template and its metadata and spec, a deployment's
// strategy... Because those nodes already exist, the creator's fieldsV1 has no `".": {}` for them
// (`f:spec: {f:replicas: {}}`), while pointer structs and maps it sets get one
// (`f:labels: {".": {}, f:app: {}}`); the same holds for lists Go writes as null (containers).
// The Swagger document does not say which fields are value
// types, so the common ones are listed here by definition. Pure.
import { refName, type Schema, type SchemaRegistry } from "../schema.js";
import type { JsonObject } from "./json-value.js";

/** Every kind's top-level value-typed structs, when the kind declares them. */
const TOP_LEVEL = ["metadata", "spec", "status"];

/** Value-typed struct fields of common definitions (upstream Go types, v1.32). */
const VALUE_STRUCT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  "io.k8s.api.apps.v1.DeploymentSpec": ["template", "strategy"],
  "io.k8s.api.apps.v1.ReplicaSetSpec": ["template"],
  "io.k8s.api.apps.v1.StatefulSetSpec": ["template", "updateStrategy"],
  "io.k8s.api.apps.v1.DaemonSetSpec": ["template", "updateStrategy"],
  "io.k8s.api.batch.v1.JobSpec": ["template"],
  "io.k8s.api.batch.v1.CronJobSpec": ["jobTemplate"],
  "io.k8s.api.batch.v1.JobTemplateSpec": ["metadata", "spec"],
  "io.k8s.api.core.v1.PodTemplateSpec": ["metadata", "spec"],
};

/** Lists without omitempty, which an empty Go object writes as null (present, so never "added"). */
const NULL_LIST_FIELDS: Readonly<Record<string, readonly string[]>> = {
  "io.k8s.api.core.v1.PodSpec": ["containers"],
};

export function emptyObjectLike(schema: Schema | undefined, registry: SchemaRegistry): JsonObject {
  if (!schema) return {};
  const properties = registry.resolve(schema).properties ?? {};
  const out: JsonObject = {};
  for (const field of TOP_LEVEL) {
    const property = properties[field];
    if (property?.$ref) out[field] = emptyStruct(refName(property.$ref), registry);
  }
  return out;
}

function emptyStruct(definition: string, registry: SchemaRegistry): JsonObject {
  const out: JsonObject = {};
  const properties = registry.definitions[definition]?.properties ?? {};
  for (const field of VALUE_STRUCT_FIELDS[definition] ?? []) {
    const ref = properties[field]?.$ref;
    if (ref) out[field] = emptyStruct(refName(ref), registry);
  }
  for (const field of NULL_LIST_FIELDS[definition] ?? []) out[field] = null;
  return out;
}
