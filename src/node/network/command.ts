// Runs the host tools the isolated pod network is built from (ip, nsenter, the CNI plugins) as
// child processes, never through a shell, and turns a non-zero exit into a CommandError that
// carries what the tool printed, so callers can report or tolerate a specific failure.
import { spawn } from "node:child_process";

export interface CommandOptions {
  /** Written to the tool's stdin, then stdin is closed. */
  input?: string;
  /** Added to the agent's environment (CNI passes its arguments this way). */
  env?: Record<string, string>;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly code: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`${command} exited with ${code}: ${(stderr || stdout).trim().slice(0, 500)}`);
    this.name = "CommandError";
  }
}

export type Run = (file: string, args: string[], options?: CommandOptions) => Promise<CommandResult>;

/** Runs `file args…` to completion. */
export const run: Run = (file, args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: options.env ? { ...process.env, ...options.env } : process.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.once("error", reject);
    child.once("close", (code) => {
      const stdout = Buffer.concat(out).toString("utf8");
      const stderr = Buffer.concat(err).toString("utf8");
      if (code === 0) resolve({ stdout, stderr });
      else reject(new CommandError([file, ...args].join(" "), code, stdout, stderr));
    });
    child.stdin.on("error", () => {}); // a tool that exits without reading stdin is not our error
    child.stdin.end(options.input ?? "");
  });
