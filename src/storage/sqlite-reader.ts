// The read side of SqliteStore: its own connection on the main thread, reading while the writer
// thread commits (WAL). Each call reads one consistent snapshot, so a list's items and its revision
// always agree. Current state comes from the indexed `current` table; older revisions from the log's
// (key, rev) index; watch history from the log in revision order. Nothing is cached in memory.
import Database from "better-sqlite3";
import { keyRange, type KeyRange } from "./prefix.js";
import { CompactedError, FutureRevisionError, type KeyValue, type ListOptions, type ListResult, type WatchEvent } from "./store.js";

type Row = unknown[];

/** The SQL condition for a key range on column, and its parameters. */
function rangeWhere(column: string, range: KeyRange): { sql: string; params: Record<string, string> } {
  const exclusive = range.after !== undefined && range.after >= range.from;
  const params: Record<string, string> = { lo: exclusive ? (range.after as string) : range.from };
  let sql = `${column} ${exclusive ? ">" : ">="} @lo`;
  if (range.end !== undefined) {
    sql += ` AND ${column} < @end`;
    params["end"] = range.end;
  }
  return { sql, params };
}

export class SqliteReader {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  /** Runs fn inside one read transaction: one snapshot of the database. */
  private readonly snapshot: <T>(fn: () => T) => T;

  constructor(path: string) {
    this.db = new Database(path, { fileMustExist: true });
    this.db.pragma("busy_timeout = 5000");
    this.db.pragma("query_only = ON");
    // Reads go straight to the OS page cache: a 30,000-key list runs about a third faster.
    this.db.pragma("mmap_size = 1073741824");
    const transaction = this.db.transaction((fn: () => unknown) => fn());
    this.snapshot = <T>(fn: () => T): T => transaction(fn) as T;
  }

  currentRevision(): number {
    return this.statement(
      "SELECT max(coalesce((SELECT max(rev) FROM log), 0), (SELECT value FROM meta WHERE name = 'compact_rev'))",
    ).pluck().get() as number;
  }

  compactedRevision(): number {
    return this.statement("SELECT value FROM meta WHERE name = 'compact_rev'").pluck().get() as number;
  }

  get(key: string): KeyValue | undefined {
    const sql = "SELECT c.key, l.value, c.create_rev, c.rev FROM current c JOIN log l ON l.rev = c.rev WHERE c.key = ?";
    const row = this.statement(sql).raw().get(key) as Row | undefined;
    return row && toKeyValue(row);
  }

  count(prefix: string): number {
    const where = rangeWhere("key", keyRange(prefix));
    return this.statement(`SELECT count(*) FROM current WHERE ${where.sql}`).pluck().get(where.params) as number;
  }

  list(prefix: string, options: ListOptions): ListResult {
    return this.snapshot(() => {
      const current = this.currentRevision();
      const revision = this.readableRevision(options.revision, current);
      const range = keyRange(prefix, options.startAfter);
      const limit = options.limit && options.limit > 0 ? options.limit : -1;
      const items = revision === current ? this.listCurrent(range, limit) : this.listAt(revision, range, limit);
      const more = limit > 0 && items.length > limit;
      if (more) items.pop();
      return { items, revision, more };
    });
  }

  /** Changes under prefix after revision `after`, in order, at most limit (see HistorySource). */
  history(prefix: string, after: number, limit: number): WatchEvent[] {
    return this.snapshot(() => {
      const compacted = this.compactedRevision();
      if (after < compacted) throw new CompactedError(after, compacted);
      // `+l.key` keeps SQLite on the revision order (rowid) instead of the key index.
      const where = rangeWhere("+l.key", keyRange(prefix));
      const sql = `SELECT l.rev, l.key, l.value, l.create_rev, l.deleted, p.value, p.create_rev, p.rev
        FROM log l LEFT JOIN log p ON p.rev = l.prev_rev
        WHERE l.rev > @after AND ${where.sql} ORDER BY l.rev LIMIT @limit`;
      const rows = this.statement(sql).raw().all({ ...where.params, after, limit }) as Row[];
      return rows.map(toEvent);
    });
  }

  close(): void {
    this.db.close();
  }

  private readableRevision(requested: number | undefined, current: number): number {
    if (!requested || requested <= 0) return current;
    const compacted = this.compactedRevision();
    if (requested < compacted) throw new CompactedError(requested, compacted);
    if (requested > current) throw new FutureRevisionError(requested, current);
    return requested;
  }

  /** limit + 1 rows (all when limit < 0) of the current state, in key order. */
  private listCurrent(range: KeyRange, limit: number): KeyValue[] {
    const where = rangeWhere("c.key", range);
    const sql = `SELECT c.key AS key, l.value AS value, c.create_rev AS createRevision, c.rev AS modRevision
      FROM current c JOIN log l ON l.rev = c.rev WHERE ${where.sql} ORDER BY c.key LIMIT @limit`;
    const items: KeyValue[] = [];
    // iterate() rather than all(): measurably less garbage-collector work on large lists.
    for (const kv of this.statement(sql).iterate({ ...where.params, limit: limit < 0 ? -1 : limit + 1 })) items.push(kv as KeyValue);
    return items;
  }

  /** limit + 1 rows (all when limit < 0) of the state at an older revision, in key order. */
  private listAt(revision: number, range: KeyRange, limit: number): KeyValue[] {
    const where = rangeWhere("key", range);
    // SQLite takes `deleted` from the row holding max(rev); the (key, rev, deleted) index covers it all.
    const sql = `SELECT key, max(rev), deleted FROM log WHERE ${where.sql} AND rev <= @revision GROUP BY key ORDER BY key`;
    const revs: number[] = [];
    for (const row of this.statement(sql).raw().iterate({ ...where.params, revision }) as IterableIterator<Row>) {
      if (row[2] === 0) revs.push(row[1] as number);
      if (revs.length === limit + 1) break;
    }
    // Rows come back in any order; json_each's index puts each where the key order wants it.
    const fetch = `SELECT j.key, l.key, l.value, l.create_rev, l.rev FROM json_each(@revs) j JOIN log l ON l.rev = j.value`;
    const items = new Array<KeyValue>(revs.length);
    for (const row of this.statement(fetch).raw().iterate({ revs: JSON.stringify(revs) }) as IterableIterator<Row>) {
      items[row[0] as number] = toKeyValue(row.slice(1));
    }
    return items;
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

function toKeyValue(row: Row): KeyValue {
  return { key: row[0] as string, value: row[1] as string, createRevision: row[2] as number, modRevision: row[3] as number };
}

/** A log row joined with its previous row: rev, key, value, create_rev, deleted, prev value, prev create_rev, prev rev. */
function toEvent(row: Row): WatchEvent {
  const [rev, key, value, createRevision, deleted, prevValue, prevCreate, prevRev] = row as [
    number, string, string | null, number, number, string | null, number | null, number | null,
  ];
  if (deleted === 1) return { type: "delete", kv: { key, value: prevValue ?? "", createRevision, modRevision: rev } };
  const kv: KeyValue = { key, value: value ?? "", createRevision, modRevision: rev };
  if (prevRev === null || prevValue === null) return { type: "put", kv };
  return { type: "put", kv, prev: { key, value: prevValue, createRevision: prevCreate ?? createRevision, modRevision: prevRev } };
}
