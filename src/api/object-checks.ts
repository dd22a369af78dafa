// The ObjectPreparer of built-in kinds: decode checks against the upstream schema (unknown fields
// per fieldValidation, types), ObjectMeta rules with each kind's name rule, and managedFields
// tracking for Update operations (server-side apply computes its own).
import type { ObjectPreparer } from "./object-preparer.js";
import { TypeResolver } from "./patch/field-type.js";
import { updateManagedFields } from "./patch/managed-fields.js";
import type { RequestContext } from "./request-context.js";
import { apiVersionOf, type KubeObject, type ManagedFieldsEntry, type ResourceDef } from "./resource.js";
import type { SchemaRegistry } from "./schema.js";
import type { FieldError } from "./validation/field-errors.js";
import { validateObjectMeta } from "./validation/object-meta.js";
import { decodeErrorStatus, strictDecodingStatus, stripUnknownFields, validateAgainstSchema } from "./validation/schema-validate.js";

export class ObjectChecks implements ObjectPreparer {
  private readonly types: TypeResolver;

  constructor(private readonly schemas: SchemaRegistry) {
    this.types = new TypeResolver(schemas);
  }

  checkSchema(def: ResourceDef, obj: KubeObject, ctx: RequestContext, stored?: KubeObject): KubeObject {
    const schema = this.schemas.forKind({ group: def.group, version: def.version, kind: def.kind });
    if (!schema) return obj;
    const check = validateAgainstSchema(obj, schema, this.schemas, { fieldValidation: ctx.fieldValidation, stored });
    const decodeError = check.decodeError ?? check.typeErrors[0];
    if (decodeError) throw decodeErrorStatus(def.kind, apiVersionOf(def), decodeError);
    if (check.unknownFields.length === 0) return obj;
    if (ctx.fieldValidation === "Strict") throw strictDecodingStatus(check.unknownFields, { kind: def.kind, apiVersion: apiVersionOf(def) });
    if (ctx.fieldValidation === "Warn") ctx.warnings.push(...check.unknownFields.map((f) => `unknown field "${f}"`));
    return stripUnknownFields(obj, schema, this.schemas);
  }

  validateMeta(def: ResourceDef, obj: KubeObject, old: KubeObject | undefined): FieldError[] {
    const options = { namespaced: def.namespaced, nameValidation: def.nameValidation ?? "subdomain" };
    if (!old) return validateObjectMeta(obj.metadata, options);
    return [...validateObjectMeta(obj.metadata, { ...options, old: old.metadata }), ...validateObjectMeta(obj.metadata, { ...options, nameValidation: "path-segment", standardFinalizers: false })];
  }

  managedFields(input: { def: ResourceDef; obj: KubeObject; old: KubeObject | undefined; ctx: RequestContext; subresource: string | undefined; now: Date }): ManagedFieldsEntry[] | undefined {
    if (input.ctx.applied) return input.obj.metadata?.managedFields;
    const { def } = input;
    const updated = updateManagedFields({
      live: input.old,
      updated: input.obj,
      manager: input.ctx.fieldManager,
      apiVersion: apiVersionOf(def),
      subresource: input.subresource,
      schema: this.schemas.forKind({ group: def.group, version: def.version, kind: def.kind }),
      registry: this.schemas,
      types: this.types,
      now: input.now,
    });
    return updated.metadata?.managedFields;
  }
}
