// Type checking of a ValidatingAdmissionPolicy against the kinds it matches (upstream's
// TypeChecker, reported in status.typeChecking): every field an expression selects on `object`,
// `oldObject` or `params` must exist in the kind's schema, through lists (macros, indexes) and
// maps. Unknown fields are reported as upstream prints cel-go's error, e.g.
//   apps/v1, Kind=Deployment: ERROR: <input>:1:12: undefined field 'replica'
//    | object.spec.replica <= 5
//    | ...........^
// Anything the schema leaves open (maps of any value, int-or-string, unknown kinds) is not checked.
import { Environment } from "@marcbachmann/cel-js";
import type { GroupVersionKind, Schema, SchemaRegistry } from "../../schema.js";
import type { KubeObject } from "../../resource.js";
import { recordAt, recordsAt, stringAt, stringsAt } from "../../resources/object-fields.js";

export interface ExpressionWarning {
  fieldRef: string;
  warning: string;
}

interface AstNode {
  op: string;
  args: unknown;
  pos?: number;
}

const ITERATING_MACROS = new Set(["all", "exists", "exists_one", "map", "filter"]);

export class PolicyTypeChecker {
  readonly #parser = new Environment({ enableOptionalTypes: true, unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });

  /** @param kindOf the kind served at group/version/resource ("deployments/scale" → Scale), if any */
  constructor(private readonly schemas: SchemaRegistry, private readonly kindOf: (group: string, version: string, resource: string) => GroupVersionKind | undefined) {}

  check(policy: KubeObject): ExpressionWarning[] {
    const kinds = this.matchedKinds(policy);
    const paramKind = recordAt(policy, "spec", "paramKind");
    const params = paramKind ? this.schemaOfApiVersionKind(stringAt(paramKind, "apiVersion") ?? "", stringAt(paramKind, "kind") ?? "") : undefined;
    const warnings: ExpressionWarning[] = [];
    for (const { fieldRef, expression } of expressions(policy)) {
      const messages = kinds.flatMap((gvk) => {
        const schema = this.schemas.forKind(gvk);
        const errors = schema ? this.checkExpression(expression, { object: schema, oldObject: schema, ...(params ? { params } : {}) }) : [];
        return errors.map((e) => `${gvk.group ? `${gvk.group}/` : ""}${gvk.version}, Kind=${gvk.kind}: ${e}`);
      });
      if (messages.length > 0) warnings.push({ fieldRef, warning: messages.join("\n") });
    }
    return warnings;
  }

  private matchedKinds(policy: KubeObject): GroupVersionKind[] {
    const kinds = new Map<string, GroupVersionKind>();
    for (const rule of recordsAt(policy, "spec", "matchConstraints", "resourceRules")) {
      for (const group of stringsAt(rule, "apiGroups")) {
        for (const version of stringsAt(rule, "apiVersions")) {
          for (const resource of stringsAt(rule, "resources")) {
            if ([group, version, resource].some((s) => s.includes("*"))) continue;
            const gvk = this.kindOf(group, version, resource);
            if (gvk) kinds.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, gvk);
          }
        }
      }
    }
    return [...kinds.values()];
  }

  private schemaOfApiVersionKind(apiVersion: string, kind: string): Schema | undefined {
    const [group, version] = apiVersion.includes("/") ? (apiVersion.split("/", 2) as [string, string]) : ["", apiVersion];
    return this.schemas.forKind({ group, version, kind });
  }

  private checkExpression(expression: string, scope: Record<string, Schema>): string[] {
    let ast: AstNode;
    try {
      ast = this.#parser.parse(expression).ast as AstNode;
    } catch {
      return []; // compile errors are reported when the policy is written
    }
    const errors: string[] = [];
    this.walk(ast, new Map(Object.entries(scope)), (pos, field) => errors.push(celError(expression, pos, `undefined field '${field}'`)));
    return errors;
  }

  /** The schema of a node's value when known; reports selections of fields the schema lacks. */
  private walk(node: unknown, scope: Map<string, Schema | undefined>, report: (pos: number, field: string) => void): Schema | undefined {
    if (!isNode(node)) {
      if (Array.isArray(node)) for (const child of node) this.walk(child, scope, report);
      return undefined;
    }
    const args = Array.isArray(node.args) ? node.args : [];
    switch (node.op) {
      case "id":
        return typeof node.args === "string" ? scope.get(node.args) : undefined;
      case ".":
      case ".?": {
        const target = this.walk(args[0], scope, report);
        return this.field(target, String(args[1]), node.pos ?? 0, report);
      }
      case "[]":
      case "[?]": {
        const target = this.walk(args[0], scope, report);
        this.walk(args[1], scope, report);
        return target ? this.schemas.child(target, "*") : undefined;
      }
      case "rcall": {
        const [name, target, callArgs] = args as [string, unknown, unknown[]];
        const targetSchema = this.walk(target, scope, report);
        if (ITERATING_MACROS.has(name) && Array.isArray(callArgs) && isNode(callArgs[0]) && callArgs[0].op === "id") {
          const inner = new Map(scope);
          const resolved = targetSchema ? this.schemas.resolve(targetSchema) : undefined;
          inner.set(String(callArgs[0].args), resolved?.items ? this.schemas.resolve(resolved.items) : undefined);
          for (const arg of callArgs.slice(1)) this.walk(arg, inner, report);
          return undefined;
        }
        this.walk(callArgs, scope, report);
        return undefined;
      }
      default:
        this.walk(args, scope, report);
        return undefined;
    }
  }

  private field(target: Schema | undefined, field: string, pos: number, report: (pos: number, field: string) => void): Schema | undefined {
    if (!target) return undefined;
    const resolved = this.schemas.resolve(target);
    if (resolved.properties) {
      const child = this.schemas.child(resolved, field);
      if (!child && !resolved.additionalProperties && !resolved["x-kubernetes-preserve-unknown-fields"]) report(pos, field);
      return child;
    }
    return typeof resolved.additionalProperties === "object" ? this.schemas.resolve(resolved.additionalProperties) : undefined;
  }
}

function isNode(value: unknown): value is AstNode {
  return typeof value === "object" && value !== null && !Array.isArray(value) && typeof (value as AstNode).op === "string";
}

/** cel-go's error text: "ERROR: <input>:LINE:COL: message" with the line and a caret under the column. */
function celError(expression: string, pos: number, message: string): string {
  const before = expression.slice(0, pos);
  const line = before.split("\n").length;
  const lineStart = before.lastIndexOf("\n") + 1;
  const column = pos - lineStart;
  const text = expression.split("\n")[line - 1] ?? "";
  return `ERROR: <input>:${line}:${column}: ${message}\n | ${text}\n | ${".".repeat(Math.max(column - 1, 0))}^`;
}

function expressions(policy: KubeObject): { fieldRef: string; expression: string }[] {
  const out: { fieldRef: string; expression: string }[] = [];
  recordsAt(policy, "spec", "validations").forEach((v, i) => {
    const expression = stringAt(v, "expression");
    if (expression) out.push({ fieldRef: `spec.validations[${i}].expression`, expression });
    const messageExpression = stringAt(v, "messageExpression");
    if (messageExpression) out.push({ fieldRef: `spec.validations[${i}].messageExpression`, expression: messageExpression });
  });
  for (const list of ["matchConditions", "variables"]) {
    recordsAt(policy, "spec", list).forEach((v, i) => {
      const expression = stringAt(v, "expression");
      if (expression) out.push({ fieldRef: `spec.${list}[${i}].expression`, expression });
    });
  }
  return out;
}
