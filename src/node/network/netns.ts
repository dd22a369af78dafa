// Network namespaces through iproute2: create, delete (both idempotent), and run a tool inside
// one with nsenter. `nsenter --net` changes only the network namespace, unlike `ip netns exec`,
// which also remounts /sys and hides the caller's cgroups.
import { existsSync } from "node:fs";
import { CommandError, run, type CommandOptions, type CommandResult } from "./command.js";
import { netnsPath } from "./names.js";

export function netnsExists(name: string): boolean {
  return existsSync(netnsPath(name));
}

export async function addNetns(name: string): Promise<void> {
  if (netnsExists(name)) return;
  try {
    await run("ip", ["netns", "add", name]);
  } catch (error) {
    if (!netnsExists(name)) throw error; // lost a race with ourselves: fine
  }
}

export async function deleteNetns(name: string): Promise<void> {
  if (!netnsExists(name)) return;
  try {
    await run("ip", ["netns", "delete", name]);
  } catch (error) {
    if (netnsExists(name)) throw error;
  }
}

/** Runs `ip -n NAME args…`. */
export function ipIn(name: string, args: string[]): Promise<CommandResult> {
  return run("ip", ["-n", name, ...args]);
}

/** Runs a program with the namespace as its current network namespace. */
export function runIn(name: string, file: string, args: string[], options?: CommandOptions): Promise<CommandResult> {
  return run("nsenter", [`--net=${netnsPath(name)}`, file, ...args], options);
}

/** Sets a sysctl under /proc/sys/net as seen from inside the namespace. */
export async function setNetSysctl(name: string, key: string, value: string): Promise<void> {
  const file = `/proc/sys/${key.replaceAll(".", "/")}`;
  await runIn(name, "sh", ["-c", 'printf %s "$1" > "$2"', "sh", value, file]);
}

/** True when `error` is a failed command whose output matches `pattern`. */
export function failedWith(error: unknown, pattern: RegExp): boolean {
  return error instanceof CommandError && pattern.test(error.stderr + error.stdout);
}
