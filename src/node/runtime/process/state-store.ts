// Durable records of sandboxes and containers under the runtime's state directory:
//   <stateDir>/pods/<sandboxId>/sandbox.json
//   <stateDir>/pods/<sandboxId>/containers/<containerId>/container.json
// Every write goes to a temporary file that is renamed over the record, so a reader (or an agent
// killed mid-write) only ever sees a whole document.
import fs from "node:fs";
import path from "node:path";
import type { ContainerRecord, SandboxRecord } from "./records.js";

export class StateStore {
  constructor(readonly stateDir: string) {
    fs.mkdirSync(path.join(stateDir, "pods"), { recursive: true, mode: 0o711 });
  }

  sandboxDir(sandboxId: string): string {
    return path.join(this.stateDir, "pods", sandboxId);
  }

  containerDir(sandboxId: string, containerId: string): string {
    return path.join(this.sandboxDir(sandboxId), "containers", containerId);
  }

  writeSandbox(record: SandboxRecord): void {
    const dir = this.sandboxDir(record.id);
    fs.mkdirSync(path.join(dir, "containers"), { recursive: true, mode: 0o711 });
    writeAtomically(path.join(dir, "sandbox.json"), record);
  }

  writeContainer(record: ContainerRecord): void {
    const dir = this.containerDir(record.sandboxId, record.id);
    fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
    writeAtomically(path.join(dir, "container.json"), record);
  }

  removeSandbox(sandboxId: string): void {
    fs.rmSync(this.sandboxDir(sandboxId), { recursive: true, force: true });
  }

  removeContainer(sandboxId: string, containerId: string): void {
    fs.rmSync(this.containerDir(sandboxId, containerId), { recursive: true, force: true });
  }

  /** Every record on disk; unreadable documents (never produced by our own writes) are skipped. */
  load(): { sandboxes: SandboxRecord[]; containers: ContainerRecord[] } {
    const sandboxes: SandboxRecord[] = [];
    const containers: ContainerRecord[] = [];
    for (const sandboxId of listDir(path.join(this.stateDir, "pods"))) {
      const sandbox = readJson<SandboxRecord>(path.join(this.sandboxDir(sandboxId), "sandbox.json"));
      if (!sandbox) continue;
      sandboxes.push(sandbox);
      for (const containerId of listDir(path.join(this.sandboxDir(sandboxId), "containers"))) {
        const container = readJson<ContainerRecord>(path.join(this.containerDir(sandboxId, containerId), "container.json"));
        if (container) containers.push(container);
      }
    }
    return { sandboxes, containers };
  }
}

export function writeAtomically(file: string, value: unknown): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(value, null, 2) + "\n", { mode: 0o600 });
  fs.renameSync(temp, file);
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
