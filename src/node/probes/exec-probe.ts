// The exec probe, as upstream's probe/exec over CRI ExecSync: the command runs in the container,
// exit 0 succeeds and anything else fails, the output (stdout then stderr, capped at 10 KiB) is the
// probe's output. A command still running after timeoutSeconds fails with `command "..." timed out`
// (the ExecProbeTimeout behaviour). A command that could not be run at all ends "unknown".
import { goQuote } from "../../api/validation/go-quote.js";
import { realClock, type Clock } from "../../client/clock.js";
import { errorReason, withTimeout } from "./dial-errors.js";
import { MAX_OUTPUT_BYTES, type ExecAction, type ProbeOutcome } from "./probe-spec.js";
import type { ProbeTarget } from "./target.js";

/** Grace on top of the timeout for the exec function to report its own timeout before we do. */
const EXEC_GRACE_MS = 500;

class ExecTimeout extends Error {}

export async function execProbe(action: ExecAction, target: ProbeTarget, timeoutMs: number, clock: Clock = realClock): Promise<ProbeOutcome> {
  const command = action.command ?? [];
  const timedOut = `command ${goQuote(command.join(" "))} timed out`;
  try {
    const result = await withTimeout(clock, target.exec(command, timeoutMs), timeoutMs + EXEC_GRACE_MS, () => new ExecTimeout());
    if (result.timedOut) return { result: "failure", output: timedOut };
    const output = Buffer.concat([toBuffer(result.stdout), toBuffer(result.stderr)]).subarray(0, MAX_OUTPUT_BYTES).toString("utf8");
    return { result: result.exitCode === 0 ? "success" : "failure", output };
  } catch (err) {
    if (err instanceof ExecTimeout) return { result: "failure", output: timedOut };
    return { result: "unknown", output: errorReason(err) };
  }
}

function toBuffer(data: Buffer | string): Buffer {
  return typeof data === "string" ? Buffer.from(data) : data;
}
