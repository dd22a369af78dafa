// The text of a caught error for event messages and conditions (Go's err.Error()): an Error's
// message, anything else thrown stringified.

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
