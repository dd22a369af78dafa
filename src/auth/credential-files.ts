// Files that hold credentials (keys, certificates, tokens, kubeconfigs): written whole or not at all,
// with the mode given at creation, and read as "absent" rather than failing when they do not exist yet.
import { readFile, rename, rm, writeFile } from "node:fs/promises";

/** Writes via a temporary file and rename, so a crash never leaves half a key or certificate. */
export async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await rm(tmp, { force: true });
  await writeFile(tmp, data, { mode, flag: "wx" });
  await rename(tmp, path);
}

/** The file's text, or undefined when it does not exist (any other error is thrown). */
export async function readFileIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}
