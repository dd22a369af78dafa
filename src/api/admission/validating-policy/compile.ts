// A ValidatingAdmissionPolicy compiled once per generation: its matchConditions, variables,
// validations (with messageExpression) as CEL programs, or the compile errors that make the
// policy fail (validation reports them at write time, as upstream's "compilation failed").
import type { KubeObject } from "../../resource.js";
import { path } from "../../resources/field-path.js";
import { recordAt, recordsAt, stringAt, type JsonRecord } from "../../resources/object-fields.js";
import { AdmissionCel, type CelProgram } from "../cel/environment.js";

export interface NamedProgram {
  name: string;
  expression: string;
  program: CelProgram;
}

export interface CompiledValidation {
  expression: string;
  program: CelProgram;
  message?: string;
  messageExpression?: CelProgram;
  reason?: string;
}

export interface CompiledPolicy {
  name: string;
  failurePolicy: "Fail" | "Ignore";
  paramKind?: { apiVersion: string; kind: string };
  matchConstraints: JsonRecord;
  matchConditions: NamedProgram[];
  variables: NamedProgram[];
  validations: CompiledValidation[];
  /** Compile errors: the policy is misconfigured and acts by its failurePolicy. */
  errors: CompileError[];
}

export interface CompileError {
  field: string;
  expression: string;
  message: string;
}

export function compilePolicy(cel: AdmissionCel, obj: KubeObject): CompiledPolicy {
  const hasParams = recordAt(obj, "spec", "paramKind") !== undefined;
  const errors: CompileError[] = [];
  const spec = path("spec");
  const compile = (expression: string, field: string): CelProgram => {
    const result = cel.compile(expression, hasParams);
    if (result.program) return result.program;
    errors.push({ field, expression, message: result.error ?? "" });
    return () => {
      throw new Error(`compilation failed: ${result.error}`);
    };
  };
  const named = (list: string) =>
    recordsAt(obj, "spec", list).map((item, i) => {
      const expression = stringAt(item, "expression") ?? "";
      return { name: stringAt(item, "name") ?? "", expression, program: compile(expression, `${spec.child(list).index(i).child("expression")}`) };
    });
  const validations = recordsAt(obj, "spec", "validations").map((v, i): CompiledValidation => {
    const at = spec.child("validations").index(i);
    const expression = stringAt(v, "expression") ?? "";
    const messageExpression = stringAt(v, "messageExpression");
    return {
      expression,
      program: compile(expression, `${at.child("expression")}`),
      message: stringAt(v, "message"),
      messageExpression: messageExpression ? compile(messageExpression, `${at.child("messageExpression")}`) : undefined,
      reason: stringAt(v, "reason"),
    };
  });
  const paramKind = recordAt(obj, "spec", "paramKind");
  return {
    name: obj.metadata?.name ?? "",
    failurePolicy: stringAt(obj, "spec", "failurePolicy") === "Ignore" ? "Ignore" : "Fail",
    paramKind: paramKind ? { apiVersion: stringAt(paramKind, "apiVersion") ?? "", kind: stringAt(paramKind, "kind") ?? "" } : undefined,
    matchConstraints: recordAt(obj, "spec", "matchConstraints") ?? {},
    matchConditions: named("matchConditions"),
    variables: named("variables"),
    validations,
    errors,
  };
}

/** The compile errors of a policy object, for its validation (one environment per resource definition). */
export function policyCompileErrors(cel: AdmissionCel, obj: KubeObject): CompileError[] {
  return compilePolicy(cel, obj).errors;
}
