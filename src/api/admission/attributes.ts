// A write as admission policies and webhooks see it (upstream's VersionedAttributes and the
// admission.k8s.io/v1 AdmissionRequest built from them): kind and resource of what is written, the
// subresource, the objects in their served version (the autoscaling/v1 Scale for a scale
// subresource, as upstream's scale REST passes it) and who asks.
import { randomUUID } from "node:crypto";
import { scaleOf } from "../handlers/scale.js";
import type { KubeObject } from "../resource.js";
import type { AdmissionRequest } from "./admission.js";

export interface GroupVersionKind { group: string; version: string; kind: string }
export interface GroupVersionResource { group: string; version: string; resource: string }

export interface AdmissionAttributes {
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource: string;
  object: KubeObject | null;
  oldObject: KubeObject | null;
  request: AdmissionRequest;
}

/** The attributes of a request, computed once and shared by every policy and webhook. */
export function admissionAttributes(request: AdmissionRequest): AdmissionAttributes {
  const { def, subresource } = request;
  const resource = { group: def.group, version: def.version, resource: def.plural };
  if (subresource === "scale" && def.scale) {
    return {
      kind: { group: "autoscaling", version: "v1", kind: "Scale" },
      resource,
      subResource: "scale",
      object: request.object ? scaleOf(def, request.object) : null,
      oldObject: request.oldObject ? scaleOf(def, request.oldObject) : null,
      request,
    };
  }
  const kind = request.operation === "CONNECT" ? connectKind(request.object) : { group: def.group, version: def.version, kind: def.kind };
  // A CONNECT carries its options, which upstream passes as `options`, not as the object.
  const object = request.operation === "CONNECT" || request.operation === "DELETE" ? null : (request.object ?? null);
  return { kind, resource, subResource: subresource ?? "", object, oldObject: request.oldObject ?? null, request };
}

function connectKind(options: KubeObject | undefined): GroupVersionKind {
  return { group: "", version: "v1", kind: options?.kind ?? "" };
}

/** admission.k8s.io/v1 AdmissionRequest (webhooks get it in an AdmissionReview; CEL sees it as `request`). */
export function admissionReviewRequest(attrs: AdmissionAttributes, uid: string = randomUUID()): Record<string, unknown> {
  const { request } = attrs;
  const user = request.ctx.user;
  const review: Record<string, unknown> = {
    uid,
    kind: attrs.kind,
    resource: attrs.resource,
    requestKind: attrs.kind,
    requestResource: attrs.resource,
    name: request.name,
    operation: request.operation,
    userInfo: { username: user.name, uid: user.uid ?? "", groups: user.groups, extra: user.extra ?? {} },
    object: attrs.object,
    oldObject: attrs.oldObject,
    dryRun: request.ctx.dryRun,
    options: operationOptions(request),
  };
  if (attrs.subResource) {
    review.subResource = attrs.subResource;
    review.requestSubResource = attrs.subResource;
  }
  if (request.namespace) review.namespace = request.namespace;
  return review;
}

/** CreateOptions / UpdateOptions / DeleteOptions, or the CONNECT options object. */
function operationOptions(request: AdmissionRequest): KubeObject {
  if (request.operation === "CONNECT") return request.object ?? {};
  const kind = { CREATE: "CreateOptions", UPDATE: "UpdateOptions", DELETE: "DeleteOptions" }[request.operation];
  const options: KubeObject = { apiVersion: "meta.k8s.io/v1", kind };
  if (request.operation !== "DELETE") options.fieldManager = request.ctx.fieldManager;
  if (request.ctx.dryRun) options.dryRun = ["All"];
  return options;
}
