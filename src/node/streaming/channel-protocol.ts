// The remotecommand channel protocol over WebSocket (v4.channel.k8s.io, v5.channel.k8s.io): every
// binary message starts with a channel byte (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize); v5
// adds 255 <channel> to half-close a stream. The error channel carries one JSON meta/v1 Status at
// the end: Success, or Failure with reason NonZeroExitCode and the code as an ExitCode cause.

export const V4_PROTOCOL = "v4.channel.k8s.io";
export const V5_PROTOCOL = "v5.channel.k8s.io";
export const CHANNEL_PROTOCOLS = [V5_PROTOCOL, V4_PROTOCOL] as const;

export const Channel = { Stdin: 0, Stdout: 1, Stderr: 2, Error: 3, Resize: 4 } as const;
/** v5: a message [255, channel] closes that channel's stream. */
export const CLOSE_SIGNAL = 255;

export type ChannelMessage =
  | { kind: "data"; channel: number; data: Buffer }
  | { kind: "close"; channel: number };

export function encodeChannelMessage(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const message = Buffer.allocUnsafe(body.length + 1);
  message[0] = channel;
  body.copy(message, 1);
  return message;
}

export function encodeCloseSignal(channel: number): Buffer {
  return Buffer.from([CLOSE_SIGNAL, channel]);
}

/** Undefined for an empty message (clients send none, but upstream skips them). */
export function decodeChannelMessage(message: Buffer, supportsClose: boolean): ChannelMessage | undefined {
  if (message.length === 0) return undefined;
  const channel = message[0]!;
  if (supportsClose && channel === CLOSE_SIGNAL) {
    if (message.length !== 2) throw new Error("a stream close signal must name exactly one channel");
    return { kind: "close", channel: message[1]! };
  }
  return { kind: "data", channel, data: message.subarray(1) };
}

/** The resize channel's JSON: {"Width":80,"Height":24}. */
export function parseResize(data: Buffer): { width: number; height: number } | undefined {
  try {
    const size = JSON.parse(data.toString("utf8")) as { Width?: unknown; Height?: unknown };
    const width = Number(size.Width);
    const height = Number(size.Height);
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) return undefined;
    return { width, height };
  } catch {
    return undefined;
  }
}

/** What the kubelet writes on the error channel when the command ends. */
export function exitStatus(exitCode: number, command: readonly string[]): string {
  if (exitCode === 0) return JSON.stringify({ metadata: {}, status: "Success" });
  return JSON.stringify({
    metadata: {},
    status: "Failure",
    message: `command terminated with non-zero exit code: error executing command [${command.join(" ")}], exit code ${exitCode}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(exitCode) }] },
  });
}

/** A failure that is not the command's exit (could not start it, container gone...). */
export function failureStatus(message: string): string {
  return JSON.stringify({ metadata: {}, status: "Failure", message, reason: "InternalError", code: 500 });
}
