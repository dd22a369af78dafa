// Paths the process runtime creates on the host for a container: mount points that do not exist
// yet (a bind mount needs a directory or file to land on) and the working directory. Each is
// recorded, deepest last, and removed again on removeContainer if it is still empty, so the
// host is left as it was found.
import fs from "node:fs";
import path from "node:path";

/** Creates a directory (or an empty file) and its missing parents; returns what it created. */
export function ensurePath(target: string, kind: "directory" | "file"): string[] {
  const created: string[] = [];
  const missing: string[] = [];
  let at = path.resolve(target);
  while (!fs.existsSync(at)) {
    missing.unshift(at);
    const parent = path.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const [i, p] of missing.entries()) {
    if (kind === "file" && i === missing.length - 1) fs.writeFileSync(p, "", { flag: "wx" });
    else fs.mkdirSync(p);
    created.push(p);
  }
  return created;
}

/** Removes created paths, deepest first, that are still empty; anything with content stays. */
export function removeIfEmpty(created: string[]): void {
  for (const p of [...created].reverse()) {
    try {
      const stat = fs.lstatSync(p);
      if (stat.isDirectory()) fs.rmdirSync(p);
      else if (stat.isFile() && stat.size === 0) fs.rmSync(p);
    } catch {
      // Gone already, not empty, or still a mount point: leave it.
    }
  }
}

/** The primary group of a host user, from /etc/passwd. */
export function primaryGroupOf(uid: number): number | undefined {
  try {
    for (const line of fs.readFileSync("/etc/passwd", "utf8").split("\n")) {
      const fields = line.split(":");
      if (Number(fields[2]) === uid && fields[2] !== "") return Number(fields[3]);
    }
  } catch {
    // No passwd file: the caller falls back to group 0, as upstream does.
  }
  return undefined;
}
