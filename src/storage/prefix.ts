// Key ranges for prefix queries, shared by every Store backend.
// A prefix "p" covers the half-open range [p, prefixEnd(p)), as etcd's clientv3.GetPrefixRangeEnd does.
// Assumes keys compare by code point (SQLite's BINARY collation on UTF-8 does; so does JS `<` on
// the ASCII keys Kubernetes uses).

/** The smallest string greater than every string that starts with prefix; undefined when unbounded. */
export function prefixEnd(prefix: string): string | undefined {
  let end = prefix;
  while (end.length > 0) {
    const last = end.charCodeAt(end.length - 1);
    if (last < 0xffff) return end.slice(0, -1) + String.fromCharCode(last + 1);
    end = end.slice(0, -1);
  }
  return undefined;
}

/** The lower bound of a list: keys >= from, and > startAfter when given. */
export interface KeyRange {
  /** Inclusive lower bound. */
  from: string;
  /** Exclusive lower bound (the pagination cursor), or undefined. */
  after: string | undefined;
  /** Exclusive upper bound, or undefined for no bound. */
  end: string | undefined;
}

export function keyRange(prefix: string, startAfter?: string): KeyRange {
  return { from: prefix, after: startAfter, end: prefixEnd(prefix) };
}

export function inRange(key: string, range: KeyRange): boolean {
  if (key < range.from) return false;
  if (range.after !== undefined && key <= range.after) return false;
  return range.end === undefined || key < range.end;
}
