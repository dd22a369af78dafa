// How webhook failures and refusals reach the client, as upstream words them: a refusal keeps the
// webhook's Status (code at least 400) with `admission webhook "x" denied the request: <message>`;
// a webhook that cannot be called fails closed as an internal error `failed calling webhook "x": ...`
// (or is skipped under failurePolicy Ignore).
import { StatusError, type StatusReason } from "../../errors.js";
import { numberAt, stringAt, type JsonRecord } from "../../resources/object-fields.js";

export class CallingWebhookError extends Error {
  constructor(readonly webhook: string, reason: string) {
    super(`failed calling webhook "${webhook}": ${reason}`);
  }
}

/** upstream ToStatusErr. */
export function webhookDenied(webhook: string, status: JsonRecord | undefined): StatusError {
  const deniedBy = `admission webhook "${webhook}" denied the request`;
  const code = Math.max(numberAt(status, "code") ?? 0, 400);
  const message = stringAt(status, "message");
  const reason = stringAt(status, "reason");
  const text = message ? `${deniedBy}: ${message}` : reason ? `${deniedBy}: ${reason}` : `${deniedBy} without explanation`;
  return new StatusError(code, (reason ?? "") as StatusReason, text);
}

export function failedClosed(err: CallingWebhookError): StatusError {
  return new StatusError(500, "InternalError", `Internal error occurred: ${err.message}`, { causes: [{ message: err.message }] });
}

export function dryRunUnsupported(webhook: string): StatusError {
  return new StatusError(400, "BadRequest", `admission webhook "${webhook}" does not support dry run`);
}
