// The Store: a revisioned key-value store with etcd's semantics.
// One global, strictly increasing revision; every write returns it; a key's modRevision is the
// revision of its last write (it becomes the object's resourceVersion). Backends: memory, sqlite, etcd.
// Every backend must pass the conformance suite in test/storage/conformance.ts.

export interface KeyValue {
  key: string;
  /** The stored bytes, as a UTF-8 string (JSON for API objects). */
  value: string;
  /** Revision at which the key was (last) created. */
  createRevision: number;
  /** Revision of the last write to the key. */
  modRevision: number;
}

export interface ListOptions {
  /** At most this many items; 0 or undefined means all. */
  limit?: number;
  /** Only keys strictly greater than this (the pagination cursor). */
  startAfter?: string;
  /**
   * Read the state as of this revision (0/undefined = current). Fails with CompactedError below the
   * compacted revision (the compacted revision itself stays readable) and with FutureRevisionError
   * above the current one.
   */
  revision?: number;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** True when more keys under the prefix follow the last returned one. */
  more: boolean;
}

export type WatchEvent =
  | { type: "put"; kv: KeyValue; prev?: KeyValue }
  /** kv.value is the deleted value, kv.modRevision the revision of the deletion. */
  | { type: "delete"; kv: KeyValue };

export interface WatchHandle {
  stop(): void;
}

export interface WatchCallbacks {
  /** Called in revision order, each event exactly once. Events sharing a revision (none today) come together. */
  onEvent(event: WatchEvent): void;
  /** Called once when the watch cannot continue (e.g. CompactedError); no events follow. */
  onError?(err: Error): void;
}

export interface Store {
  readonly backend: string;
  /** The latest revision written (0 for an empty store). */
  currentRevision(): Promise<number>;
  get(key: string): Promise<KeyValue | undefined>;
  /** Keys with the given prefix, in key order. */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** Counts keys with the prefix at the current revision. */
  count(prefix: string): Promise<number>;
  /** Creates the key; throws KeyExistsError when present. Resolves with the new revision once durable. */
  create(key: string, value: string): Promise<number>;
  /** Compare-and-swap: throws ConflictError unless the key's modRevision equals expectedRevision, KeyNotFoundError when absent. */
  update(key: string, value: string, expectedRevision: number): Promise<number>;
  /** Deletes the key (only at expectedRevision when given); resolves with the deletion revision and the deleted value. */
  delete(key: string, expectedRevision?: number): Promise<{ revision: number; prev: KeyValue }>;
  /**
   * Every change to keys under prefix after fromRevision, in order. fromRevision below the compacted
   * revision → onError(CompactedError). Callbacks never run before watch() returns; an onEvent that
   * throws ends the watch with onError(that error). A put carries prev for an update; a delete's kv
   * holds the deleted value. Events are shared between watchers: do not mutate them.
   */
  watch(prefix: string, fromRevision: number, callbacks: WatchCallbacks): WatchHandle;
  /**
   * Forgets history at and below revision, keeping the latest value of every key live at that
   * revision (etcd's compaction). Compacting at or below the compacted revision does nothing;
   * above the current revision fails with FutureRevisionError.
   */
  compact(revision: number): Promise<void>;
  /** The highest compacted revision (0 when none). */
  compactedRevision(): Promise<number>;
  close(): Promise<void>;
}

export class KeyExistsError extends Error {
  constructor(readonly key: string) {
    super(`key ${key} already exists`);
    this.name = "KeyExistsError";
  }
}

export class KeyNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`key ${key} not found`);
    this.name = "KeyNotFoundError";
  }
}

export class ConflictError extends Error {
  constructor(readonly key: string, readonly expectedRevision: number, readonly actualRevision: number) {
    super(`key ${key} is at revision ${actualRevision}, not ${expectedRevision}`);
    this.name = "ConflictError";
  }
}

export class CompactedError extends Error {
  constructor(readonly requestedRevision: number, readonly compactedRevision: number) {
    super(`revision ${requestedRevision} has been compacted (oldest available is ${compactedRevision + 1})`);
    this.name = "CompactedError";
  }
}

/** A read at a revision not written yet (etcd's ErrFutureRev; the API answers "Too large resource version"). */
export class FutureRevisionError extends Error {
  constructor(readonly requestedRevision: number, readonly currentRevision: number) {
    super(`revision ${requestedRevision} is newer than the current revision ${currentRevision}`);
    this.name = "FutureRevisionError";
  }
}
