// What a request carries through the API machinery besides its object: who asks, whether it is a
// dry run, which field manager writes, how unknown fields are treated, and the warnings to return.
import type { UserInfo } from "../auth/authenticate.js";

export type FieldValidation = "Strict" | "Warn" | "Ignore";

export interface RequestContext {
  user: UserInfo;
  /** dryRun=All: run every stage but persist nothing. */
  dryRun: boolean;
  /** The field manager recorded in managedFields. */
  fieldManager: string;
  fieldValidation: FieldValidation;
  /** Warnings returned to the client in `Warning:` headers. */
  warnings: string[];
  /** Set by server-side apply: managedFields were computed by the apply and must be kept as they are. */
  applied?: boolean;
}

/** Upstream's default manager when none is given: the user agent up to the first "/" (e.g. "kubectl-client-side-apply"). */
export function defaultFieldManager(userAgent: string | undefined): string {
  if (!userAgent) return "unknown";
  const slash = userAgent.indexOf("/");
  return (slash < 0 ? userAgent : userAgent.slice(0, slash)).slice(0, 128) || "unknown";
}
