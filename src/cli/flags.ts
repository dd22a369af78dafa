// Helpers shared by kubelite's commands for parsing flag values with commander.
import { InvalidArgumentError } from "commander";

/** Adapts a value parser to commander: its error becomes a usage error naming the flag. */
export function flag<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}
