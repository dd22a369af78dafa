// What kubelite knows about one resource kind. Each kind is one file in api/resources/ exporting a
// ResourceDef; generic code (registry, handlers, discovery, tables, openapi) does the rest.
import type { UserInfo } from "../auth/authenticate.js";
import type { FieldError } from "./validation/field-errors.js";
import type { NameValidation } from "./validation/names.js";

/** A Kubernetes object as JSON. Only the edges (decoding, handlers) look inside without a kind's help. */
export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
};

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: "Apply" | "Update";
  apiVersion?: string;
  time?: string;
  fieldsType?: "FieldsV1";
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** A server-side printing column (meta.k8s.io/v1 TableColumnDefinition). */
export interface TableColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format?: "name" | string;
  description: string;
  /** 0: always shown; 1: only with -o wide. */
  priority: number;
}

export interface TableDef {
  columns: TableColumn[];
  /** One row of cells, matching columns; `now` is the server's clock (for AGE and durations). */
  cells(obj: KubeObject, now: Date): unknown[];
}

/** The facts the defaulting and validation hooks may need beyond the object itself. */
export interface ValidationContext {
  /** The stored object on update; undefined on create. */
  old?: KubeObject;
  /** The subresource being written ("status", "scale"...) or undefined for the main resource. */
  subresource?: string;
}

export interface ResourceDef {
  group: string;
  version: string;
  kind: string;
  /** Lower-case plural used in paths: "deployments". */
  plural: string;
  /** Lower-case singular: "deployment". */
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Discovery categories ("all" puts the kind in `kubectl get all`). */
  categories?: string[];
  /** Verbs served; defaults to the full set (create delete deletecollection get list patch update watch). */
  verbs?: string[];
  /** Has a /status subresource: the main endpoint ignores status changes, /status ignores everything else. */
  statusSubresource?: boolean;
  /** Keep the status a create sends (upstream's Node strategy: kubelets register with their status); others start with none. */
  keepsStatusOnCreate?: boolean;
  /**
   * Subresources that write part of the object (pods/resize): each returns the stored object with
   * the part it owns taken from the desired one, and validates that change.
   */
  partialSubresources?: Record<string, { apply(current: KubeObject, desired: KubeObject): KubeObject; validate(desired: KubeObject, old: KubeObject): FieldError[] }>;
  /** Has a /scale subresource (autoscaling/v1 Scale) reading and writing these paths. */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  /** Where it is stored: defaults to `plural`. Several versions of one kind share a storage resource. */
  storageResource?: string;
  /** For a kind served in several versions: this version is converted to/from the storage version. */
  conversion?: { storageVersion: string; toStorage(obj: KubeObject): KubeObject; fromStorage(obj: KubeObject): KubeObject };
  /** How metadata.name is validated (upstream's per-kind ValidateNameFunc); DNS-1123 subdomain when absent. */
  nameValidation?: NameValidation;
  /**
   * Create-only preparation, upstream's strategy PrepareForCreate: runs once, after uid and
   * creationTimestamp are set and before validation; never on update (so what it sets, such as a
   * Namespace's "kubernetes" finalizer, may later be removed). `request` says who asks (a
   * CertificateSigningRequest records its requester).
   */
  prepareForCreate?(obj: KubeObject, request?: { user: UserInfo }): void;
  /**
   * Update-time preparation, upstream's strategy PrepareForUpdate: runs after the subresource's
   * part was taken from the request and before defaulting and validation (a CSR keeps its spec).
   */
  prepareForUpdate?(obj: KubeObject, old: KubeObject, context: { subresource: string | undefined; now: Date }): void;
  /**
   * A computed, never stored, create-only resource (the access reviews): the reply to a create.
   * `namespace` is the request's, for namespaced ones.
   */
  computeCreate?(obj: KubeObject, request: { user: UserInfo; namespace?: string }): KubeObject;
  /**
   * Checks the writer may store this object, after validation (upstream's RBAC storage refuses
   * privilege escalation here); throws a StatusError (403) when not.
   */
  authorizeWrite?(obj: KubeObject, old: KubeObject | undefined, user: UserInfo): void;
  /** Fills in defaults, upstream's SetDefaults_*: mutates the object it is given (a private copy). */
  defaults?(obj: KubeObject): void;
  /** Kind-specific validation (schema types and ObjectMeta are checked generically). */
  validate?(obj: KubeObject, context: ValidationContext): FieldError[];
  /** Server-side printing; without it kubectl shows NAME and AGE (the generic table). */
  table?: TableDef;
  /** Field selectors beyond metadata.name and metadata.namespace, as upstream supports them for the kind. */
  fieldSelectors?: Record<string, (obj: KubeObject) => string | undefined>;
  /**
   * Whether a change of the object bumps metadata.generation. Default: any change outside
   * metadata and status (upstream's spec-only rule for kinds with a status subresource).
   */
  generationChanged?(oldObj: KubeObject, newObj: KubeObject): boolean;
}

/** The verbs of nearly every kind. */
export const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

/** "apps/v1" or "v1". */
export function apiVersionOf(def: Pick<ResourceDef, "group" | "version">): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}
