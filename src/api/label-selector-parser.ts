// The label selector string syntax (`a=b,c!=d,e in (x,y),!f,g`) as upstream's lexer and parser read it
// (k8s.io/apimachinery pkg/labels/selector.go, v1.32), quirks and error messages included. It yields
// checked requirements in the order written; LabelSelector sorts them.
import { type LabelRequirement, newRequirement, type SelectorOperator } from "./label-requirement.js";
import { SelectorError } from "./selector-error.js";
import { goQuote } from "./validation/go-quote.js";
import { isQualifiedName } from "./validation/names.js";

const BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt";

/** Parses the string syntax; throws SelectorError with upstream's message. */
export function parseLabelRequirements(text: string): LabelRequirement[] {
  return new LabelParser(text).parse();
}

type Token = "eos" | "identifier" | ")" | "," | "!" | "==" | "=" | ">" | "<" | "!=" | "in" | "notin" | "(";
interface Item { tok: Token; lit: string }

const KEYWORDS: ReadonlyMap<string, Token> = new Map<string, Token>([[")", ")"], [",", ","], ["!", "!"], ["==", "=="], ["=", "="], [">", ">"], ["in", "in"], ["<", "<"], ["!=", "!="], ["notin", "notin"], ["(", "("]]);
const isWhitespace = (ch: string): boolean => ch === " " || ch === "\t" || ch === "\r" || ch === "\n";
const isSpecial = (ch: string): boolean => "=!(),><".includes(ch) && ch !== "";

/** upstream's lexer: a NUL byte, like the end, stops it. */
function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  const read = (): string => (pos < s.length ? s.charAt(pos++) : "");
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    if (ch === "" || ch === "\0") return [...items, { tok: "eos", lit: "" }];
    let buf = ch;
    if (isSpecial(ch)) {
      // Longest special-symbol keyword: "!=" and "==" over "!" and "=".
      while (pos < s.length && KEYWORDS.has(buf + s.charAt(pos)) && isSpecial(s.charAt(pos))) buf += read();
      items.push({ tok: KEYWORDS.get(buf) as Token, lit: buf });
      continue;
    }
    for (ch = read(); ch !== "" && ch !== "\0" && !isSpecial(ch) && !isWhitespace(ch); ch = read()) buf += ch;
    if (ch !== "" && ch !== "\0") pos--;
    items.push({ tok: KEYWORDS.get(buf) ?? "identifier", lit: buf });
  }
}

class LabelParser {
  private readonly items: Item[];
  private position = 0;

  constructor(text: string) {
    this.items = lex(text);
  }

  /** In a values context "in" and "notin" are plain identifiers. */
  private lookahead(values: boolean): Item {
    const item = this.items[this.position] as Item;
    return values && (item.tok === "in" || item.tok === "notin") ? { tok: "identifier", lit: item.lit } : item;
  }

  private consume(values: boolean): Item {
    const item = this.lookahead(values);
    this.position++;
    return item;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(true);
      if (tok === "eos") return reqs;
      if (tok !== "identifier" && tok !== "!") throw new SelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      reqs.push(this.requirement());
      const next = this.consume(true);
      if (next.tok === "eos") return reqs;
      if (next.tok !== ",") throw new SelectorError(`found '${next.lit}', expected: ',' or 'end of string'`);
      const after = this.lookahead(true);
      if (after.tok !== "identifier" && after.tok !== "!") throw new SelectorError(`found '${after.lit}', expected: identifier after ','`);
    }
  }

  private requirement(): LabelRequirement {
    try {
      const { key, operator } = this.keyAndInferredOperator();
      if (operator === "exists" || operator === "!") return newRequirement(key, operator, []);
      const op = this.operator();
      const values = op === "in" || op === "notin" ? this.valueSet() : this.exactValue();
      return newRequirement(key, op, [...values].sort());
    } catch (err) {
      throw err instanceof SelectorError ? new SelectorError(`unable to parse requirement: ${err.message}`) : err;
    }
  }

  private keyAndInferredOperator(): { key: string; operator?: SelectorOperator } {
    let item = this.consume(true);
    const negated = item.tok === "!";
    if (negated) item = this.consume(true);
    if (item.tok !== "identifier") throw new SelectorError(`found '${item.lit}', expected: identifier`);
    const errs = isQualifiedName(item.lit);
    if (errs.length) throw new SelectorError(`<nil>: Invalid value: ${goQuote(item.lit)}: ${errs.join("; ")}`);
    const next = this.lookahead(true).tok;
    if (negated) return { key: item.lit, operator: "!" };
    return { key: item.lit, operator: next === "eos" || next === "," ? "exists" : undefined };
  }

  private operator(): SelectorOperator {
    const { tok, lit } = this.consume(false);
    switch (tok) {
      case "in": case "notin": case "=": case "==": case "!=": return tok;
      case ">": return "gt";
      case "<": return "lt";
      default: throw new SelectorError(`found '${lit}', expected: ${BINARY_OPERATORS}`);
    }
  }

  private valueSet(): Set<string> {
    const open = this.consume(true);
    if (open.tok !== "(") throw new SelectorError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(true);
    if (tok === ")") {
      this.consume(true);
      return new Set([""]);
    }
    if (tok !== "identifier" && tok !== ",") throw new SelectorError(`found '${lit}', expected: ',', ')' or identifier`);
    const values = this.identifiers();
    this.consume(true); // the ")" identifiers() stopped at
    return values;
  }

  /** A comma-separated list whose items may be empty ("(a,,b)", "(,a)"), up to the closing ")". */
  private identifiers(): Set<string> {
    const values = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(true);
      if (tok === "identifier") {
        values.add(lit);
        const next = this.lookahead(true);
        if (next.tok === ")") return values;
        if (next.tok !== ",") throw new SelectorError(`found '${next.lit}', expected: ',' or ')'`);
      } else if (tok === ",") {
        if (values.size === 0) values.add("");
        const next = this.lookahead(true).tok;
        if (next === ")") return values.add("");
        if (next === ",") {
          // v1.32 consumes the second comma of ",," here (later versions do not).
          this.consume(true);
          values.add("");
        }
      } else {
        throw new SelectorError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private exactValue(): Set<string> {
    const next = this.lookahead(true).tok;
    if (next === "eos" || next === ",") return new Set([""]);
    const { tok, lit } = this.consume(true);
    if (tok !== "identifier") throw new SelectorError(`found '${lit}', expected: identifier`);
    return new Set([lit]);
  }
}
