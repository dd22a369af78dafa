// The scheduler on a thread of its own, as kube-scheduler is a process of its own upstream: its
// scheduling cycles (filtering and scoring hundreds of nodes per pod) run beside the API server's
// loop instead of on it. The thread reaches the API through a ThreadClient; the server's side
// (SchedulerThread) serves it as the scheduler's identity, forwards its log entries, and starts it
// again if it dies. This file is both sides: the worker runs the part below `isMainThread`.
import { MessageChannel, Worker, isMainThread, parentPort, workerData, type MessagePort } from "node:worker_threads";
import { InformerFactory } from "../client/informer-factory.js";
import type { InProcessClient } from "../client/in-process.js";
import { ThreadClient } from "../client/thread-client.js";
import { ThreadClientHost } from "../client/thread-client-host.js";
import { createLogger, type Logger, type LogLevel } from "../log.js";
import { KubeScheduler } from "./kube-scheduler.js";
import { EventRecorder } from "../client/event-recorder.js";

const THREAD_KIND = "kubelite-scheduler";
const RESTART_DELAY_MS = 1_000;
const YOUNG_GENERATION_MB = 48;

interface ThreadData {
  kind: typeof THREAD_KIND;
  port: MessagePort;
  logLevel: LogLevel;
}

/** What the thread tells the server's side: a log entry, as the JSON line createLogger writes. */
type ThreadMessage = { type: "log"; line: string };

export interface SchedulerThreadOptions {
  /** The scheduler's own identity (system:kube-scheduler), in process. */
  client: InProcessClient;
  log: Logger;
  logLevel: LogLevel;
}

/** The server's side: starts the thread, serves its client, and stops it. */
export class SchedulerThread {
  private worker: Worker | undefined;
  private host: ThreadClientHost | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SchedulerThreadOptions) {}

  /** Starts the thread; it follows the cluster and schedules on its own from then on. */
  async start(): Promise<void> {
    this.spawn();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.postMessage({ type: "stop" });
    const timer = setTimeout(() => void worker.terminate(), 5_000);
    await exited;
    clearTimeout(timer);
    this.host?.stop();
  }

  /** Writes the thread's log entry (a line of its createLogger) with the server's logger, which stamps its own time. */
  private relayLog(line: string): void {
    const { level, msg, time: _time, ...fields } = JSON.parse(line) as { level: LogLevel; msg: string; time: string } & Record<string, unknown>;
    this.options.log[level](msg, fields);
  }

  private spawn(): void {
    const { port1, port2 } = new MessageChannel();
    // Without managedFields, as upstream's kube-scheduler transforms its informers' objects: the
    // scheduler never reads them, and they are a third of a pod's bytes.
    this.host = new ThreadClientHost(port1, this.options.client, { withoutManagedFields: true });
    const data: ThreadData = { kind: THREAD_KIND, port: port2, logLevel: this.options.logLevel };
    const script = new URL(import.meta.url.endsWith(".ts") ? "./scheduler-thread.ts" : "./scheduler-thread.js", import.meta.url);
    // Node's default young generation, not the server's larger one: the thread's garbage is
    // short-lived parsing and scoring, and every megabyte of young generation is resident.
    const worker = new Worker(script, { workerData: data, transferList: [port2], resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    this.worker = worker;
    worker.on("message", (message: ThreadMessage) => this.relayLog(message.line));
    worker.on("error", (err) => this.options.log.error("the scheduler thread failed", { error: err }));
    worker.once("exit", (code) => {
      // stop() must not wait for the exit of a thread that has already gone.
      this.worker = undefined;
      this.host?.stop();
      port1.close();
      if (this.stopping) return;
      this.options.log.error("the scheduler thread exited; starting it again", { code });
      this.restartTimer = setTimeout(() => this.spawn(), RESTART_DELAY_MS);
    });
  }
}

/** The thread's logger: its lines go to the server's side (relayLog). */
function threadLogger(control: NonNullable<typeof parentPort>, level: LogLevel): Logger {
  return createLogger(level, (line) => control.postMessage({ type: "log", line } satisfies ThreadMessage));
}

/** The thread: the scheduler on its own informers, until the server's side says stop. */
async function runThread(control: NonNullable<typeof parentPort>, data: ThreadData): Promise<void> {
  const client = new ThreadClient(data.port);
  const log = threadLogger(control, data.logLevel);
  const informers = new InformerFactory(client, { logger: log.child({ component: "scheduler-informers" }) });
  const scheduler = new KubeScheduler({ client, informers, log, recorder: new EventRecorder({ client, component: "default-scheduler", log }) });
  control.on("message", (message: { type: "stop" }) => {
    if (message.type !== "stop") return;
    void (async () => {
      await scheduler.stop();
      await informers.stop();
      // Ends this thread only; the server's side waits for its exit.
      process.exit(0);
    })();
  });
  informers.start();
  await scheduler.start();
}

if (!isMainThread && parentPort && (workerData as ThreadData | undefined)?.kind === THREAD_KIND) {
  const control = parentPort;
  runThread(control, workerData as ThreadData).catch((err: unknown) => {
    threadLogger(control, "error").error("the scheduler could not start", { error: err });
    process.exit(1);
  });
}
