// A runtime test double for the streaming tests: exec spawns a real child process on the host,
// attach runs `cat` as the "container's" own process, port-forward dials 127.0.0.1, and the
// containers are whatever the test registers. The real runtimes live in src/node/runtime.
import { spawn } from "node:child_process";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import type { ContainerStatus, ExecOptions, ExecSession, Runtime } from "../../../src/node/runtime/runtime.js";
import {
  containerNotFound, podNotFound, previousNotFound, type ContainerTarget, type PodStreamsSource, type SandboxTarget,
} from "../../../src/node/server/streams-source.js";

export interface FakeContainer {
  namespace: string;
  pod: string;
  name: string;
  id: string;
  logPath: string;
  previousLogPath?: string;
  running: boolean;
}

export class ChildProcessRuntime implements Pick<Runtime, "exec" | "attach" | "portForward" | "containerStatus"> {
  /** How often each container's status was asked for (a log follower polls it). */
  readonly statusQueries = new Map<string, number>();

  constructor(private readonly containers: Map<string, FakeContainer>) {}

  async exec(_id: string, options: ExecOptions): Promise<ExecSession> {
    const [file, ...args] = options.command;
    const child = spawn(file!, args, { stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"] });
    const exited = new Promise<number>((resolve) => {
      child.on("error", () => resolve(126));
      child.on("close", (code, signal) => resolve(code ?? 128 + (signal === "SIGKILL" ? 9 : 15)));
    });
    const stdout = child.stdout!;
    const stderr = child.stderr!;
    if (!options.stdout) stdout.resume();
    if (!options.stderr || options.tty) stderr.resume();
    return {
      stdin: child.stdin ?? undefined,
      stdout: options.stdout ? stdout : undefined,
      stderr: options.stderr && !options.tty ? stderr : undefined,
      resize: () => undefined,
      exited,
      kill: () => void child.kill("SIGKILL"),
    };
  }

  attach(id: string, options: Omit<ExecOptions, "command">): Promise<ExecSession> {
    return this.exec(id, { ...options, command: ["cat"] });
  }

  portForward(_sandboxId: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port });
      socket.once("connect", () => resolve(socket));
      socket.once("error", reject);
    });
  }

  async containerStatus(id: string): Promise<ContainerStatus | undefined> {
    this.statusQueries.set(id, (this.statusQueries.get(id) ?? 0) + 1);
    const c = [...this.containers.values()].find((x) => x.id === id);
    if (!c) return undefined;
    return { id, state: c.running ? "running" : "exited" } as ContainerStatus;
  }
}

export class FakeStreamsSource implements PodStreamsSource {
  readonly containers = new Map<string, FakeContainer>();
  readonly runtime = new ChildProcessRuntime(this.containers);

  add(container: FakeContainer): void {
    this.containers.set(`${container.namespace}/${container.pod}/${container.name}`, container);
  }

  async resolveContainer(namespace: string, pod: string, name: string, options: { previous: boolean }): Promise<ContainerTarget> {
    const podKnown = [...this.containers.values()].some((c) => c.namespace === namespace && c.pod === pod);
    if (!podKnown) throw podNotFound(namespace, pod);
    const c = this.containers.get(`${namespace}/${pod}/${name}`);
    if (!c) throw containerNotFound(pod, name);
    if (options.previous) {
      if (!c.previousLogPath) throw previousNotFound(pod, name);
      return { containerId: `${c.id}-previous`, logPath: c.previousLogPath, running: false };
    }
    return { containerId: c.id, logPath: c.logPath, running: c.running };
  }

  async resolveSandbox(namespace: string, pod: string): Promise<SandboxTarget> {
    const c = [...this.containers.values()].find((x) => x.namespace === namespace && x.pod === pod);
    if (!c) throw podNotFound(namespace, pod);
    return { sandboxId: `sandbox-${pod}`, podUid: `uid-${pod}` };
  }
}
