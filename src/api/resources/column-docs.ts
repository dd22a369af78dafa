// Column descriptions the way upstream's printers write them: most are the API field's own doc
// (`apiv1.PodStatus{}.SwaggerDoc()["podIP"]`), read here from the generated v1.32 schema registry.
import { builtinSchemas } from "../schema.js";

/** The description of `property` in the definition io.k8s.api.<definition> (e.g. "core.v1.PodStatus"), or "". */
export function fieldDoc(definition: string, property: string): string {
  const schema = builtinSchemas().definitions[`io.k8s.api.${definition}`];
  return schema?.properties?.[property]?.description ?? "";
}
