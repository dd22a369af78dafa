// Field-selector values as upstream's registries compute them (ToSelectableFields / GetAttrs):
// absent fields select as "" (so `spec.nodeName=` finds unscheduled pods), booleans as "true"/"false".
import type { KubeObject } from "../resource.js";
import { booleanAt, numberAt, stringAt } from "./object-fields.js";

export type SelectableField = (obj: KubeObject) => string;

export const stringField = (...path: string[]): SelectableField => (obj) => stringAt(obj, ...path) ?? "";

export const booleanField = (...path: string[]): SelectableField => (obj) => String(booleanAt(obj, ...path) ?? false);

export const integerField = (...path: string[]): SelectableField => (obj) => String(numberAt(obj, ...path) ?? 0);
