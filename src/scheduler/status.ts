// The result of running a plugin (upstream framework.Status): a code and reasons, plus the plugin
// that produced it. Plugins return null for Success, as upstream returns a nil *Status, so the hot
// paths allocate nothing when a node fits. Statuses are immutable; plugins may reuse one instance.

export type Code = "Success" | "Error" | "Unschedulable" | "UnschedulableAndUnresolvable" | "Wait" | "Skip" | "Pending";

export class Status {
  private constructor(readonly code: Code, readonly reasons: readonly string[], readonly plugin: string) {}

  static of(code: Code, ...reasons: string[]): Status {
    return new Status(code, reasons, "");
  }

  /** Rejected here; preemption may help (upstream Unschedulable). */
  static unschedulable(...reasons: string[]): Status {
    return new Status("Unschedulable", reasons, "");
  }

  /** Rejected here, and removing pods would not help (upstream UnschedulableAndUnresolvable). */
  static unresolvable(...reasons: string[]): Status {
    return new Status("UnschedulableAndUnresolvable", reasons, "");
  }

  static error(message: string): Status {
    return new Status("Error", [message], "");
  }

  /** PreFilter/PreScore: the plugin has nothing to do for this pod; its Filter/Score is skipped. */
  static skip(): Status {
    return new Status("Skip", [], "");
  }

  static success(): Status {
    return new Status("Success", [], "");
  }

  withPlugin(plugin: string): Status {
    return plugin === this.plugin ? this : new Status(this.code, this.reasons, plugin);
  }

  isSuccess(): boolean {
    return this.code === "Success";
  }

  isSkip(): boolean {
    return this.code === "Skip";
  }

  /** upstream IsRejected: Unschedulable, UnschedulableAndUnresolvable or Pending. */
  isRejected(): boolean {
    return this.code === "Unschedulable" || this.code === "UnschedulableAndUnresolvable" || this.code === "Pending";
  }

  /** The reasons joined by ", " (upstream Status.Message). */
  message(): string {
    return this.reasons.join(", ");
  }
}

/** A plugin's answer: null is Success. */
export type PluginStatus = Status | null;

export function isSuccess(s: PluginStatus): boolean {
  return s === null || s.isSuccess();
}
