// Runs the host tools the isolated pod network is built from (ip, nsenter, the CNI plugins)
// through a Launcher, never through a shell, and turns a non-zero exit into a CommandError that
// carries what the tool printed, so callers can report or tolerate a specific failure.
import type { Launcher } from "../launcher/launcher.js";

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

/** A Run that runs `file args…` to completion with the launcher. */
export function commandRunner(launcher: Launcher): Run {
  return async (file, args, options = {}) => {
    const env = options.env ? { ...process.env, ...options.env } : undefined;
    const result = await launcher.run(file, args, { input: options.input ?? "", env });
    const stdout = result.stdout.toString("utf8");
    const stderr = result.stderr.toString("utf8");
    if (result.code === 0) return { stdout, stderr };
    throw new CommandError([file, ...args].join(" "), result.code, stdout, stderr);
  };
}
