// Test helpers for runtimes: waiting on a condition with a deadline (never a fixed sleep) and
// reading a CRI-format log back into entries.
import fs from "node:fs";

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface LogEntry {
  timestamp: string;
  stream: string;
  tag: string;
  content: string;
}

export function readLog(file: string): LogEntry[] {
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [timestamp = "", stream = "", tag = "", ...rest] = line.split(" ");
      return { timestamp, stream, tag, content: rest.join(" ") };
    });
}
