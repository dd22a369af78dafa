// The CRI container log format: one entry per line, `<RFC3339Nano time> <stdout|stderr> <F|P> <content>`.
// P marks a partial line whose content continues in the next entry (the runtime splits long
// lines); F ends a line. The newline after the content is the file's, not the log's.

export interface CriLogEntry {
  /** The timestamp as written. */
  time: string;
  /** Milliseconds since the epoch, for since-filters (sub-millisecond digits are dropped). */
  timeMs: number;
  stream: "stdout" | "stderr";
  partial: boolean;
  content: Buffer;
}

const SPACE = 0x20;

/** Parses one line (without its newline); undefined when it is not a CRI log entry. */
export function parseCriLine(line: Buffer): CriLogEntry | undefined {
  const first = line.indexOf(SPACE);
  if (first <= 0) return undefined;
  const second = line.indexOf(SPACE, first + 1);
  if (second < 0) return undefined;
  const time = line.toString("latin1", 0, first);
  const timeMs = Date.parse(time);
  if (Number.isNaN(timeMs)) return undefined;
  const stream = line.toString("latin1", first + 1, second);
  if (stream !== "stdout" && stream !== "stderr") return undefined;
  // The tag is "F" or "P", possibly followed by ":"-separated extra tags of later CRI versions.
  const third = line.indexOf(SPACE, second + 1);
  const tags = line.toString("latin1", second + 1, third < 0 ? line.length : third);
  const partial = tags.split(":")[0] === "P";
  const content = third < 0 ? Buffer.alloc(0) : line.subarray(third + 1);
  return { time, timeMs, stream, partial, content };
}

const NEWLINE = Buffer.from("\n");

/** One entry as the runtime writes it, newline included: the one place the format is written. */
export function criEntry(time: string, stream: "stdout" | "stderr", partial: boolean, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${time} ${stream} ${partial ? "P" : "F"} `), content, NEWLINE]);
}

/** An entry as text (tests and test runtimes write logs with this). */
export function formatCriLine(time: Date | string, stream: "stdout" | "stderr", content: string, partial = false): string {
  return criEntry(typeof time === "string" ? time : time.toISOString(), stream, partial, Buffer.from(content)).toString("utf8");
}

/**
 * The timestamp as kubectl shows it with --timestamps: Go's RFC3339Nano, i.e. the fraction
 * without trailing zeros (and no fraction at all when it is zero).
 */
export function rfc3339Nano(time: string): string {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/.exec(time);
  if (!match) return time;
  const fraction = (match[2] ?? "").replace(/0+$/, "");
  return `${match[1]}${fraction ? `.${fraction}` : ""}${match[3]}`;
}
