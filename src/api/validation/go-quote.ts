// Go's strconv.Quote (what %q prints) and the printability test behind it, for messages that
// quote user input the way upstream's Go code does: label selector errors, unknown-field paths.
// Works on code points, as Go ranges over a UTF-8 string; printability follows Go's unicode.IsPrint
// (letters, marks, numbers, punctuation, symbols and the ASCII space).

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const ESCAPES: Readonly<Record<string, string>> = { "\x07": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v", '"': '\\"', "\\": "\\\\" };

/** Go's unicode.IsPrint (and strconv.IsPrint) for one code point. */
export function isGoPrintable(ch: string): boolean {
  return PRINTABLE.test(ch);
}

/** Go's strconv.Quote: escapes for quotes, backslashes and control characters, \x, \u or \U for the unprintable rest. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ESCAPES[ch] !== undefined) out += ESCAPES[ch];
    else if (isGoPrintable(ch)) out += ch;
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else out += cp < 0x10000 ? `\\u${cp.toString(16).padStart(4, "0")}` : `\\U${cp.toString(16).padStart(8, "0")}`;
  }
  return `${out}"`;
}
