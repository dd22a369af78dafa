// upstream admission.NewForbidden: `deployments.apps "x" is forbidden: <why>`, details naming the
// resource (without subresource) and the object; the reason and code may be changed by the caller.
import { qualifiedResource, StatusError, type StatusReason } from "../errors.js";
import type { AdmissionRequest } from "./admission.js";

export function admissionForbidden(request: AdmissionRequest, why: string, reason: StatusReason = "Forbidden", code = 403, causes?: { message: string }[]): StatusError {
  const { def } = request;
  const name = request.name || request.object?.metadata?.generateName || "";
  return new StatusError(code, reason, `${qualifiedResource(def.plural, def.group)} "${name}" is forbidden: ${why}`, { name, group: def.group, kind: def.plural, ...(causes ? { causes } : {}) });
}
