// attach for the process runtime: the container's own output, followed live from the log copier
// (what it copies into the CRI log is handed to attached sessions as it is read), and its stdin
// through the FIFO created with the container when config.stdin is set. The container has no
// terminal of its own, so resize does nothing. Detaching (kill) leaves the container running.
import fs from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import type { ExecOptions, ExecSession } from "../runtime.js";
import type { LogCopier } from "./log-copier.js";
import type { ContainerRecord } from "./records.js";
import { SHIM_FILES } from "./shim.js";

export interface AttachTarget {
  record: ContainerRecord;
  dir: string;
  copier: LogCopier;
  /** Resolves with the container's exit code once it has exited. */
  exited: Promise<number>;
}

export function attach(target: AttachTarget, options: Omit<ExecOptions, "command">): ExecSession {
  if (options.stdin && !target.record.config.stdin) {
    throw new Error(`container ${target.record.config.name} was not created with stdin: set stdin: true to attach to it`);
  }
  const stdout = options.stdout ? new PassThrough() : undefined;
  const stderr = options.stderr ? new PassThrough() : undefined;
  const unsubscribe = target.copier.onOutput((stream, data) => (stream === "stdout" ? stdout : stderr)?.write(data));
  const stdin = options.stdin ? fs.createWriteStream(path.join(target.dir, SHIM_FILES.stdin), { flags: "w" }) : undefined;
  stdin?.on("error", () => undefined);
  let detach: (code: number) => void = () => undefined;
  const detached = new Promise<number>((resolve) => (detach = resolve));
  const end = () => {
    unsubscribe();
    stdout?.end();
    stderr?.end();
    stdin?.destroy();
  };
  const exited = Promise.race([target.exited, detached]).then((code) => {
    end();
    return code;
  });
  return {
    stdin,
    stdout,
    stderr,
    resize: () => undefined,
    exited,
    kill: () => detach(0),
  };
}
