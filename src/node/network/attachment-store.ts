// Records of the pod attachments a node has made, one JSON file per sandbox under the data dir,
// written atomically (temporary file, then rename). They hold everything CNI DEL needs (the
// network list and runtime arguments used on ADD, and ADD's result), so an agent restarted on the
// same data dir can answer for existing pods and tear down stale ones exactly.
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { CniNetworkList, CniResult, CniRuntimeArgs } from "./cni.js";
import { recordFileName } from "./names.js";

export interface AttachmentRecord {
  sandboxId: string;
  podNamespace: string;
  podName: string;
  podUid: string;
  netnsName: string;
  ips: string[];
  network: CniNetworkList;
  runtimeArgs: CniRuntimeArgs;
  /** ADD's result; absent while setUp is still under way (or was interrupted). */
  result?: CniResult;
  createdAt: string;
}

export class AttachmentStore {
  constructor(private readonly dir: string) {}

  async get(sandboxId: string): Promise<AttachmentRecord | undefined> {
    const record = await this.readFile(recordFileName(sandboxId));
    return record?.sandboxId === sandboxId ? record : undefined;
  }

  async put(record: AttachmentRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, recordFileName(record.sandboxId));
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(record, null, 2) + "\n", { mode: 0o600 });
    await rename(temporary, file);
  }

  async delete(sandboxId: string): Promise<void> {
    await rm(path.join(this.dir, recordFileName(sandboxId)), { force: true });
  }

  async list(): Promise<AttachmentRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const records = await Promise.all(names.filter((n) => n.endsWith(".json")).map((n) => this.readFile(n)));
    return records.filter((r): r is AttachmentRecord => r !== undefined);
  }

  private async readFile(name: string): Promise<AttachmentRecord | undefined> {
    try {
      return JSON.parse(await readFile(path.join(this.dir, name), "utf8")) as AttachmentRecord;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || error instanceof SyntaxError) return undefined; // gone, or torn by a crash mid-write of the temp file
      throw error;
    }
  }
}
