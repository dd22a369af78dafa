// The ingress benchmark's load generator, run in a worker thread so that sending requests does not
// share an event loop with the server it measures. For `durationMs` it keeps `concurrency` HTTP/1.1
// keep-alive connections busy against 127.0.0.1:port with the given Host header, and reports how
// many requests completed and each one's latency.
import { Agent, request } from "node:http";
import { parentPort, workerData } from "node:worker_threads";

export interface LoadJob {
  port: number;
  host: string;
  concurrency: number;
  durationMs: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  latenciesMs: number[];
}

async function run(job: LoadJob): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const latenciesMs: number[] = [];
  let errors = 0;
  const deadline = performance.now() + job.durationMs;
  const once = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const req = request({ host: "127.0.0.1", port: job.port, path: "/bench", headers: { host: job.host }, agent }, (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode === 200) latenciesMs.push(performance.now() - started);
          else errors++;
          resolve();
        });
      });
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end();
    });
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (performance.now() < deadline) await once();
    }),
  );
  agent.destroy();
  return { requests: latenciesMs.length, errors, latenciesMs };
}

if (parentPort) parentPort.postMessage(await run(workerData as LoadJob));
