// Words for a failed connection the way Go's net package prints them ("dial tcp 10.42.0.5:8080:
// connect: connection refused"), since probe outputs end up in events users compare with upstream.
import type { Clock } from "../../client/clock.js";
import { joinHostPort } from "./ports.js";

const SYSCALL_TEXT: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connect: connection refused",
  EHOSTUNREACH: "connect: no route to host",
  ENETUNREACH: "connect: network is unreachable",
  EADDRNOTAVAIL: "connect: cannot assign requested address",
  ETIMEDOUT: "i/o timeout",
  ECONNRESET: "read: connection reset by peer",
  EPIPE: "write: broken pipe",
};

/** Whether a probe's output says nothing listened on the port (the process has not opened it yet). */
export function isConnectionRefused(output: string): boolean {
  return output.includes(SYSCALL_TEXT.ECONNREFUSED!);
}

/** "dial tcp HOST:PORT: <reason>" for an error from the dial function. */
export function dialErrorText(err: unknown, host: string, port: number): string {
  return `dial tcp ${joinHostPort(host, port)}: ${errorReason(err)}`;
}

/** The Go wording of a socket error's reason, or its own message when there is no errno code. */
export function errorReason(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && SYSCALL_TEXT[code]) return SYSCALL_TEXT[code];
  return err instanceof Error ? err.message : String(err);
}

/** Rejects with `onTimeout()` when the promise has not settled within ms; clears its timer either way. */
export function withTimeout<T>(clock: Clock, promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (value) => {
        clock.clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clock.clearTimeout(timer);
        reject(err);
      },
    );
  });
}
