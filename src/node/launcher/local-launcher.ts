// The Launcher that forks from this very process, as Node's child_process does: no helper to
// start or lose, but each fork costs time proportional to this process's resident memory. Right
// for small processes (tests, tools) and as the default when no launcher is given.
import { ChildRunner } from "./child-runner.js";
import type { Detached, DetachedOptions, Launcher, RunOptions, RunResult } from "./launcher.js";

export class LocalLauncher implements Launcher {
  private readonly runner = new ChildRunner();

  run(file: string, args: string[], options?: RunOptions): Promise<RunResult> {
    return this.runner.run(file, args, options);
  }

  spawnDetached(file: string, args: string[], options: DetachedOptions): Promise<Detached> {
    return this.runner.spawnDetached(file, args, options);
  }

  async close(): Promise<void> {
    this.runner.killRunning();
  }
}
