// Integers as Go's strconv parses them in controllers (annotations such as
// deployment.kubernetes.io/revision, the number of an "N%" IntOrString): an optionally signed run
// of decimal digits, nothing else; anything else is "not a number" rather than a partial parse.

/** strconv.ParseInt / Atoi: an optionally signed decimal integer, or undefined. */
export function parseGoInt(value: string): number | undefined {
  return /^[+-]?\d+$/.test(value) ? Number(value) : undefined;
}
