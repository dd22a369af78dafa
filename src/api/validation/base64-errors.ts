// The error Go's base64.StdEncoding.Decode returns for malformed input ("illegal base64 data at input
// byte 4"), as a []byte field's decoder reports it (encoding/json, v1.32's Go). Newlines are skipped
// and "=" padding is accepted only at the end of a quantum, as Go's decoder does.

/** Go's base64.StdEncoding.Decode error for s ("illegal base64 data at input byte 4"), or undefined. */
export function base64DecodeError(s: string): string | undefined {
  let si = 0;
  while (si < s.length) {
    const next = base64Quantum(s, si);
    if (typeof next === "string") return next;
    si = next;
  }
  return undefined;
}

const BASE64 = /[A-Za-z0-9+/]/;
const isNewline = (c: string | undefined): boolean => c === "\n" || c === "\r";
const corrupt = (at: number): string => `illegal base64 data at input byte ${at}`;

/** One 4-character quantum from si (newlines skipped, "=" padding only at its end): the next index or an error. */
function base64Quantum(s: string, si: number): number | string {
  for (let j = 0; j < 4; ) {
    if (si === s.length) return j === 0 ? si : corrupt(si - j);
    const c = s.charAt(si++);
    if (BASE64.test(c)) j++;
    else if (isNewline(c)) continue;
    else if (c !== "=" || j < 2) return corrupt(si - 1);
    else return base64Padding(s, si, j);
  }
  return si;
}

/** After the first "=" at quantum position j: "==" when j is 2, then only newlines to the end. */
function base64Padding(s: string, si: number, j: number): number | string {
  if (j === 2) {
    while (si < s.length && isNewline(s[si])) si++;
    if (si === s.length) return corrupt(s.length);
    if (s[si] !== "=") return corrupt(si - 1);
    si++;
  }
  while (si < s.length && isNewline(s[si])) si++;
  return si < s.length ? corrupt(si) : si;
}
