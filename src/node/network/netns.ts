// Network namespaces through iproute2: create, delete (both idempotent), and run a tool inside
// one with nsenter. `nsenter --net` changes only the network namespace, unlike `ip netns exec`,
// which also remounts /sys and hides the caller's cgroups. The tools run through the given Run.
import { existsSync } from "node:fs";
import { CommandError, type CommandOptions, type CommandResult, type Run } from "./command.js";
import { netnsPath } from "./names.js";

export function netnsExists(name: string): boolean {
  return existsSync(netnsPath(name));
}

/** True when `error` is a failed command whose output matches `pattern`. */
export function failedWith(error: unknown, pattern: RegExp): boolean {
  return error instanceof CommandError && pattern.test(error.stderr + error.stdout);
}

export class Netns {
  constructor(readonly run: Run) {}

  async add(name: string): Promise<void> {
    if (netnsExists(name)) return;
    try {
      await this.run("ip", ["netns", "add", name]);
    } catch (error) {
      if (!netnsExists(name)) throw error; // lost a race with ourselves: fine
    }
  }

  async delete(name: string): Promise<void> {
    if (!netnsExists(name)) return;
    try {
      await this.run("ip", ["netns", "delete", name]);
    } catch (error) {
      if (netnsExists(name)) throw error;
    }
  }

  /** Runs `ip -n NAME args…`. */
  ip(name: string, args: string[]): Promise<CommandResult> {
    return this.run("ip", ["-n", name, ...args]);
  }

  /** Runs a program with the namespace as its current network namespace. */
  runIn(name: string, file: string, args: string[], options?: CommandOptions): Promise<CommandResult> {
    return this.run("nsenter", [`--net=${netnsPath(name)}`, file, ...args], options);
  }

  /** Sets a sysctl under /proc/sys/net as seen from inside the namespace. */
  async setSysctl(name: string, key: string, value: string): Promise<void> {
    const file = `/proc/sys/${key.replaceAll(".", "/")}`;
    await this.runIn(name, "sh", ["-c", 'printf %s "$1" > "$2"', "sh", value, file]);
  }
}
