// GET /containerLogs: the container's log file, streamed (chunked while following). Stops when the
// client goes away.
import type { IncomingMessage, ServerResponse } from "node:http";
import { LogOptionsError, parseLogOptions } from "../logs/log-options.js";
import { streamLog } from "../logs/log-reader.js";
import { PodStreamError, type PodStreamsSource } from "./streams-source.js";

export interface LogHandlerDeps {
  source: PodStreamsSource;
  now: () => Date;
  pollIntervalMs: number;
}

export async function serveContainerLogs(
  deps: LogHandlerDeps,
  target: { namespace: string; pod: string; container: string },
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let options;
  try {
    options = parseLogOptions(query, deps.now());
  } catch (err) {
    if (err instanceof LogOptionsError) throw new PodStreamError(400, "BadRequest", err.message);
    throw err;
  }
  const container = await deps.source.resolveContainer(target.namespace, target.pod, target.container, { previous: options.previous });
  const aborter = new AbortController();
  res.on("close", () => aborter.abort());
  res.writeHead(200, { "Content-Type": "text/plain", "Transfer-Encoding": "chunked" });
  // Headers go out at once, so a follower sees the stream open before the first line.
  res.flushHeaders();
  const running = options.follow && !options.previous && container.running;
  await streamLog(
    container.logPath,
    { ...options, follow: running },
    (chunk) => write(res, chunk),
    {
      signal: aborter.signal,
      pollIntervalMs: deps.pollIntervalMs,
      isRunning: async () => (await deps.source.runtime.containerStatus(container.containerId))?.state === "running",
    },
  );
  res.end();
}

function write(res: ServerResponse, chunk: Buffer): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  if (res.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}
