// Kyverno's `{{ ... }}` variables, with a small, safe subset of JMESPath: dotted paths
// (`request.object.metadata.name`, quoted keys `labels."app.kubernetes.io/name"`), indexes `[0]`,
// projections `[]` / `[*]` (`request.object.spec.containers[].image`), `length(...)`, raw string
// literals `'text'` and JSON literals in backticks. Nothing is evaluated beyond reading the context.

export type VariableContext = Record<string, unknown>;

const VARIABLE = /\{\{\s*(.*?)\s*\}\}/g;

/** Substitutes variables in every string of `value`; a string that is one variable becomes its value. */
export function substitute(value: unknown, context: VariableContext): unknown {
  if (typeof value === "string") return substituteString(value, context);
  if (Array.isArray(value)) return value.map((v) => substitute(v, context));
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, context)]));
  return value;
}

function substituteString(text: string, context: VariableContext): unknown {
  const whole = /^\{\{\s*(.*?)\s*\}\}$/.exec(text);
  if (whole && !whole[1]!.includes("}}")) return evaluate(whole[1]!, context) ?? null;
  return text.replace(VARIABLE, (_, expression: string) => {
    const result = evaluate(expression, context);
    if (result === undefined || result === null) return "";
    return typeof result === "string" ? result : JSON.stringify(result);
  });
}

/** Evaluates one expression; undefined when a path leads nowhere. */
export function evaluate(expression: string, context: VariableContext): unknown {
  return new Evaluator(expression.trim(), context).run();
}

class Evaluator {
  private pos = 0;

  constructor(private readonly text: string, private readonly context: VariableContext) {}

  run(): unknown {
    const value = this.expression(this.context);
    if (this.pos < this.text.length) throw new Error(`unsupported expression "${this.text}" (at "${this.text.slice(this.pos)}")`);
    return value;
  }

  private expression(current: unknown): unknown {
    this.skipSpaces();
    let value = this.primary(current);
    for (;;) {
      this.skipSpaces();
      const c = this.text[this.pos];
      if (c === ".") {
        this.pos++;
        value = this.applyToEach(value, (v) => this.member(v));
      } else if (c === "[") {
        value = this.bracket(value);
      } else {
        return value;
      }
    }
  }

  private primary(current: unknown): unknown {
    const c = this.text[this.pos];
    if (c === "'") return this.rawString();
    if (c === "`") return this.jsonLiteral();
    if (c === "@") {
      this.pos++;
      return current;
    }
    const name = this.identifier();
    this.skipSpaces();
    if (this.text[this.pos] === "(") return this.call(name, current);
    return field(current, name);
  }

  private member(value: unknown): unknown {
    return field(value, this.identifier());
  }

  /** After a projection, the rest of the path applies to each element. */
  private projected = false;

  private applyToEach(value: unknown, step: (v: unknown) => unknown): unknown {
    if (this.projected && Array.isArray(value)) {
      const start = this.pos;
      let end = start;
      const results = value.map((element) => {
        this.pos = start;
        const result = step(element);
        end = this.pos;
        return result;
      });
      this.pos = end;
      return results.filter((r) => r !== undefined && r !== null);
    }
    return step(value);
  }

  private bracket(value: unknown): unknown {
    this.pos++;
    this.skipSpaces();
    if (this.text[this.pos] === "]" || this.text[this.pos] === "*") {
      if (this.text[this.pos] === "*") this.pos++;
      this.expect("]");
      this.projected = true;
      if (!Array.isArray(value)) return undefined;
      return value.flat();
    }
    const match = /^-?\d+/.exec(this.text.slice(this.pos));
    if (!match) throw new Error(`unsupported expression "${this.text}": only [n], [] and [*] are supported`);
    this.pos += match[0].length;
    this.expect("]");
    if (!Array.isArray(value)) return undefined;
    const index = Number(match[0]);
    return value[index < 0 ? value.length + index : index];
  }

  private call(name: string, current: unknown): unknown {
    this.expect("(");
    const saved = this.projected;
    this.projected = false;
    const argument = this.expression(current);
    this.projected = saved;
    this.skipSpaces();
    this.expect(")");
    if (name === "length") {
      if (typeof argument === "string" || Array.isArray(argument)) return argument.length;
      if (typeof argument === "object" && argument !== null) return Object.keys(argument).length;
      return undefined;
    }
    throw new Error(`unsupported function ${name}()`);
  }

  private identifier(): string {
    this.skipSpaces();
    if (this.text[this.pos] === '"') {
      const end = this.text.indexOf('"', this.pos + 1);
      if (end < 0) throw new Error(`unterminated quoted name in "${this.text}"`);
      const name = this.text.slice(this.pos + 1, end);
      this.pos = end + 1;
      return name;
    }
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (!match) throw new Error(`unsupported expression "${this.text}"`);
    this.pos += match[0].length;
    return match[0];
  }

  private rawString(): string {
    const end = this.text.indexOf("'", this.pos + 1);
    if (end < 0) throw new Error(`unterminated string in "${this.text}"`);
    const value = this.text.slice(this.pos + 1, end);
    this.pos = end + 1;
    return value;
  }

  private jsonLiteral(): unknown {
    const end = this.text.indexOf("`", this.pos + 1);
    if (end < 0) throw new Error(`unterminated literal in "${this.text}"`);
    const value = JSON.parse(this.text.slice(this.pos + 1, end)) as unknown;
    this.pos = end + 1;
    return value;
  }

  private expect(c: string): void {
    if (this.text[this.pos] !== c) throw new Error(`expected "${c}" in "${this.text}"`);
    this.pos++;
  }

  private skipSpaces(): void {
    while (this.text[this.pos] === " ") this.pos++;
  }
}

function field(value: unknown, name: string): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  return (value as Record<string, unknown>)[name];
}
