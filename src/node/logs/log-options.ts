// What a log request asks for (the kubelet's /containerLogs query, the same names as
// pods/log): follow, previous, tailLines, sinceSeconds or sinceTime, timestamps, limitBytes.

export interface LogOptions {
  follow: boolean;
  previous: boolean;
  /** Only the last N lines of the file. */
  tailLines?: number;
  /** Only entries at or after this instant (from sinceSeconds or sinceTime). */
  since?: Date;
  timestamps: boolean;
  /** Stop after this many bytes of output. */
  limitBytes?: number;
}

export class LogOptionsError extends Error {}

/** Parses and validates the query; the messages follow upstream's validation. */
export function parseLogOptions(query: URLSearchParams, now: Date): LogOptions {
  const options: LogOptions = {
    follow: bool(query.get("follow")),
    previous: bool(query.get("previous")),
    timestamps: bool(query.get("timestamps")),
  };
  const tail = integer(query, "tailLines");
  if (tail !== undefined) {
    if (tail < 0) throw new LogOptionsError("tailLines: Invalid value: must be greater than or equal to 0");
    options.tailLines = tail;
  }
  const limit = integer(query, "limitBytes");
  if (limit !== undefined) {
    if (limit < 1) throw new LogOptionsError("limitBytes: Invalid value: must be greater than 0");
    options.limitBytes = limit;
  }
  const sinceSeconds = integer(query, "sinceSeconds");
  const sinceTime = query.get("sinceTime");
  if (sinceSeconds !== undefined && sinceTime) throw new LogOptionsError("at most one of `sinceTime` or `sinceSeconds` may be specified");
  if (sinceSeconds !== undefined) {
    if (sinceSeconds < 1) throw new LogOptionsError("sinceSeconds: Invalid value: must be greater than 0");
    options.since = new Date(now.getTime() - sinceSeconds * 1000);
  } else if (sinceTime) {
    const ms = Date.parse(sinceTime);
    if (Number.isNaN(ms)) throw new LogOptionsError(`sinceTime: Invalid value: ${JSON.stringify(sinceTime)}: must be an RFC3339 time`);
    options.since = new Date(ms);
  }
  return options;
}

function bool(value: string | null): boolean {
  return value === "true" || value === "1";
}

function integer(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new LogOptionsError(`${name}: Invalid value: ${JSON.stringify(raw)}: must be an integer`);
  return n;
}
