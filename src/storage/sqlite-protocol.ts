// The messages between SqliteStore (main thread) and its writer thread (sqlite-writer.ts), and the
// schema both sides rely on. Only the writer thread writes the database; the main thread reads it
// through its own connection (WAL lets readers and the writer proceed side by side).

/** One write requested by the Store API; preconditions are checked by the writer, in order. */
export type WriteRequest =
  | { op: "create"; key: string; value: string }
  | { op: "update"; key: string; value: string; expectedRevision: number }
  | { op: "delete"; key: string; expectedRevision?: number };

/** The key's value before the write, for update and delete. */
export interface PrevValue {
  value: string;
  createRevision: number;
  modRevision: number;
}

export type WriteFailure = { kind: "exists" } | { kind: "notFound" } | { kind: "conflict"; actualRevision: number };

export type WriteResult =
  | { ok: true; revision: number; createRevision: number; prev?: PrevValue }
  | { ok: false; failure: WriteFailure };

export type WriterRequest =
  | { type: "batch"; id: number; writes: WriteRequest[] }
  | { type: "compact"; id: number; revision: number }
  | { type: "close"; id: number };

export type WriterReply =
  | { type: "ready" }
  | { type: "batch"; id: number; results: WriteResult[] }
  | { type: "done"; id: number }
  /** The request failed as a whole (I/O error, or a compaction above the current revision). */
  | { type: "failed"; id: number; message: string; futureRevision?: { requested: number; current: number } };

export interface WriterOptions {
  path: string;
}

/**
 * log: one row per revision, append-only until compaction (kine's table, split in two).
 *   A deletion is a tombstone row (deleted = 1, value NULL); prev_rev points at the key's previous
 *   row (0 for a create), so a deletion's value and an update's previous value are one join away.
 * current: the live keys and the revision of their latest row, for fast get, list and count.
 * meta: compact_rev (reads below it fail) and swept_rev (how far compaction has deleted rows).
 */
export const schema = `
CREATE TABLE IF NOT EXISTS log (
  rev INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  value TEXT,
  create_rev INTEGER NOT NULL,
  prev_rev INTEGER NOT NULL,
  deleted INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS log_key_rev ON log (key, rev, deleted);
CREATE TABLE IF NOT EXISTS current (
  key TEXT PRIMARY KEY,
  rev INTEGER NOT NULL,
  create_rev INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (name, value) VALUES ('compact_rev', 0), ('swept_rev', 0);
`;
