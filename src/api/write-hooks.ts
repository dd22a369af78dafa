// Steps a kind's storage takes around a write, as upstream's generic registry offers BeginCreate
// and BeginUpdate: after the object is prepared and validated and before it is stored, a hook may
// fill in fields it owns (a Service's cluster IP and node ports) and reserve what it gave out. The
// registry commits the returned transaction once the write is stored, and reverts it when the
// write fails, is retried, changes nothing or is a dry run.
import type { KubeObject } from "./resource.js";

export interface WriteTransaction {
  commit(): void;
  revert(): void;
}

export interface WriteHooks {
  /** May change `obj` (a private copy); throws a StatusError to refuse the write. */
  beginCreate(obj: KubeObject): WriteTransaction;
  beginUpdate(obj: KubeObject, old: KubeObject): WriteTransaction;
}

/** Hooks by storage resource ("services"). */
export type WriteHooksByResource = Readonly<Record<string, WriteHooks>>;
