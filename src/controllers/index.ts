// Every controller the controller manager runs, one file each. Add a controller by adding its
// registration here; duplicate names are refused when the manager starts.
import type { ControllerRegistration } from "./controller-context.js";

export function builtinControllers(): ControllerRegistration[] {
  return [];
}
