// Typed API errors. Anything thrown on the request path becomes a Kubernetes `Status` exactly once,
// at the HTTP edge (api/respond.ts), with the HTTP code equal to `code` and a message a person understands.

export type StatusReason =
  | "BadRequest" | "Unauthorized" | "Forbidden" | "NotFound" | "AlreadyExists" | "Conflict" | "Gone" | "Expired"
  | "Invalid" | "MethodNotAllowed" | "NotAcceptable" | "UnsupportedMediaType" | "RequestEntityTooLarge"
  | "TooManyRequests" | "InternalError" | "Timeout" | "ServiceUnavailable";

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** A Kubernetes meta/v1 Status object. */
export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Success" | "Failure";
  message: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = "StatusError";
  }

  toStatus(): Status {
    const status: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: this.message, reason: this.reason, code: this.code };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** "deployments.apps" for a group, "pods" for core: how upstream names a resource in messages. */
export function qualifiedResource(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

export const notFound = (resource: string, group: string, name: string) =>
  new StatusError(404, "NotFound", `${qualifiedResource(resource, group)} "${name}" not found`, { name, group, kind: resource });

export const alreadyExists = (resource: string, group: string, name: string) =>
  new StatusError(409, "AlreadyExists", `${qualifiedResource(resource, group)} "${name}" already exists`, { name, group, kind: resource });

export const conflict = (resource: string, group: string, name: string, why: string) =>
  new StatusError(409, "Conflict", `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": ${why}`, { name, group, kind: resource });

export const badRequest = (message: string) => new StatusError(400, "BadRequest", message);

export const methodNotAllowed = (message: string) => new StatusError(405, "MethodNotAllowed", message);

export const unsupportedMediaType = (contentType: string) =>
  new StatusError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${JSON.stringify(contentType)})`);

export const notAcceptable = (accept: string) =>
  new StatusError(406, "NotAcceptable", `only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io (got ${JSON.stringify(accept)})`);

export const tooLarge = (limitBytes: number) =>
  new StatusError(413, "RequestEntityTooLarge", `the request is too large: limit is ${limitBytes} bytes`);

export const expired = (message: string) => new StatusError(410, "Expired", message);

export const unauthorized = () => new StatusError(401, "Unauthorized", "Unauthorized");

export const forbidden = (message: string) => new StatusError(403, "Forbidden", message);

export const internalError = (message: string) => new StatusError(500, "InternalError", `Internal error occurred: ${message}`);

export const timeout = (message: string) => new StatusError(504, "Timeout", message);
