// core/v1 Secret: type Opaque by default, stringData merged into data (upstream's conversion), keys
// as IsConfigMapKey, at most 1 MiB, the keys each built-in type requires, type immutable, contents
// immutable once `immutable` is set; NAME TYPE DATA AGE and the `type` field selector.
import type { KubeObject, ValidationContext } from "../resource.js";
import { invalid, required, tooLong, type FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { MAX_DATA_SIZE, validateImmutableContents } from "./configmap.js";
import { path } from "./field-path.js";
import { validateImmutableField } from "./field-rules.js";
import { base64DecodedLength, isConfigMapKey } from "./formats.js";
import { ensureRecord, recordAt, stringAt, type JsonRecord } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";
import { stringField } from "./selectable-fields.js";

export function secretResource(): ResourceDef {
  const doc = (field: string) => fieldDoc("core.v1.Secret", field);
  return {
    group: "",
    version: "v1",
    kind: "Secret",
    plural: "secrets",
    singular: "secret",
    namespaced: true,
    verbs: ALL_VERBS,
    defaults: defaultSecret,
    validate: validateSecret,
    table: {
      columns: [nameColumn(), column("Type", "string", doc("type")), column("Data", "string", doc("data")), ageColumn()],
      cells: (obj, now) => [nameOf(obj), stringAt(obj, "type") ?? "", Object.keys(recordAt(obj, "data") ?? {}).length, ageOf(obj, now)],
    },
    fieldSelectors: { type: stringField("type") },
  };
}

/** SetDefaults_Secret, and stringData folded into data as upstream's v1 conversion does (stringData wins). */
function defaultSecret(obj: KubeObject): void {
  if (!obj.type) obj.type = "Opaque";
  const stringData = recordAt(obj, "stringData");
  if (!stringData) return;
  const data = ensureRecord(obj, "data");
  for (const [key, value] of Object.entries(stringData)) if (typeof value === "string") data[key] = Buffer.from(value, "utf8").toString("base64");
  delete obj.stringData;
}

function validateSecret(obj: KubeObject, context: ValidationContext): FieldError[] {
  const data = recordAt(obj, "data") ?? {};
  const errs: FieldError[] = [];
  if (context.old) {
    errs.push(...validateImmutableField(obj.type, context.old.type, path("type")));
    errs.push(...validateImmutableContents(obj, context.old, ["data"]));
  }
  let size = 0;
  for (const [key, value] of Object.entries(data)) {
    errs.push(...isConfigMapKey(key).map((msg) => invalid(`${path("data").key(key)}`, key, msg)));
    const decoded = typeof value === "string" ? base64DecodedLength(value) : 0;
    if (typeof decoded === "string") errs.push(invalid(`${path("data").key(key)}`, "<secret contents redacted>", decoded));
    else size += decoded;
  }
  if (size > MAX_DATA_SIZE) errs.push(tooLong("data", "", MAX_DATA_SIZE));
  return [...errs, ...validateSecretType(obj, data)];
}

/** The keys each built-in secret type needs. */
function validateSecretType(obj: KubeObject, data: JsonRecord): FieldError[] {
  const key = (k: string) => `${path("data").key(k)}`;
  const has = (k: string) => k in data;
  switch (obj.type) {
    case "kubernetes.io/service-account-token":
      return obj.metadata?.annotations?.["kubernetes.io/service-account.name"] ? [] : [required(`${path("metadata", "annotations").key("kubernetes.io/service-account.name")}`)];
    case "kubernetes.io/dockercfg":
      return has(".dockercfg") ? validateJSONKey(data, ".dockercfg") : [required(key(".dockercfg"))];
    case "kubernetes.io/dockerconfigjson":
      return has(".dockerconfigjson") ? validateJSONKey(data, ".dockerconfigjson") : [required(key(".dockerconfigjson"))];
    case "kubernetes.io/basic-auth":
      return has("username") || has("password") ? [] : [required(key("username")), required(key("password"))];
    case "kubernetes.io/ssh-auth":
      return stringAt(data, "ssh-privatekey") ? [] : [required(key("ssh-privatekey"))];
    case "kubernetes.io/tls":
      return [...(has("tls.crt") ? [] : [required(key("tls.crt"))]), ...(has("tls.key") ? [] : [required(key("tls.key"))])];
    default:
      return [];
  }
}

function validateJSONKey(data: JsonRecord, k: string): FieldError[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(stringAt(data, k) ?? "", "base64").toString("utf8"));
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return [];
    return [invalid(`${path("data").key(k)}`, "<secret contents redacted>", "json: cannot unmarshal into Go value of type map[string]interface {}")];
  } catch (err) {
    return [invalid(`${path("data").key(k)}`, "<secret contents redacted>", err instanceof Error ? err.message : String(err))];
  }
}

