// batch/v1 CronJob: cj, category all, status subresource; SetDefaults_CronJob (Allow, not suspended,
// history limits 3 and 1) and the job template's pod defaults; ValidateCronJob (schedule syntax as
// robfig/cron reports it, time zone, concurrency policy, the job template); the cronjob printer.
import type { KubeObject, ValidationContext } from "../resource.js";
import { invalid, notSupported, required, type FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { isKnownTimeZone, parseCronSchedule } from "./cron-schedule.js";
import { path, type FieldPath } from "./field-path.js";
import { validateNonnegativeField } from "./field-rules.js";
import { validateJobSpecFields } from "./job-spec.js";
import { formatLabelSelector } from "./label-selectors.js";
import { arrayAt, booleanAt, defaultString, defaultValue, ensureRecord, isRecord, recordAt, stringAt, valueAt, type JsonRecord } from "./object-fields.js";
import { defaultPodTemplateSpec } from "./pod-defaults.js";
import { ageColumn, ageOf, column, containerCells, nameColumn, nameOf, printBoolPtr } from "./printing.js";
import { sinceTimestamp } from "./duration.js";
import { workloadWideColumns } from "./workload.js";

const CONCURRENCY_POLICIES = ["Allow", "Forbid", "Replace"];
const VALID_TIME_ZONE_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

export function cronJobResource(): ResourceDef {
  return {
    group: "batch",
    version: "v1",
    kind: "CronJob",
    plural: "cronjobs",
    singular: "cronjob",
    namespaced: true,
    shortNames: ["cj"],
    categories: ["all"],
    verbs: ALL_VERBS,
    statusSubresource: true,
    defaults: defaultCronJob,
    validate: validateCronJob,
    table: { columns: cronJobColumns(), cells: cronJobCells },
  };
}

function defaultCronJob(obj: KubeObject): void {
  const spec = ensureRecord(obj, "spec");
  defaultString(spec, "concurrencyPolicy", "Allow");
  defaultValue(spec, "suspend", false);
  defaultValue(spec, "successfulJobsHistoryLimit", 3);
  defaultValue(spec, "failedJobsHistoryLimit", 1);
  const jobSpec = ensureRecord(ensureRecord(spec, "jobTemplate"), "spec");
  defaultPodTemplateSpec(ensureRecord(jobSpec, "template"));
}

function validateCronJob(obj: KubeObject, context: ValidationContext): FieldError[] {
  if (context.subresource === "status") return [];
  const spec = recordAt(obj, "spec") ?? {};
  const oldSpec = context.old ? recordAt(context.old, "spec") ?? {} : undefined;
  const p = path("spec");
  const errs = [
    ...validateSchedule(spec, oldSpec, p.child("schedule")),
    ...validateNonnegativeField(spec.startingDeadlineSeconds, p.child("startingDeadlineSeconds")),
    ...(oldSpec && oldSpec.timeZone === spec.timeZone ? [] : validateTimeZone(spec.timeZone, p.child("timeZone"))),
    ...validateConcurrencyPolicy(spec.concurrencyPolicy, p.child("concurrencyPolicy")),
    ...validateJobTemplate(recordAt(spec, "jobTemplate") ?? {}, p.child("jobTemplate")),
    ...validateNonnegativeField(spec.successfulJobsHistoryLimit, p.child("successfulJobsHistoryLimit")),
    ...validateNonnegativeField(spec.failedJobsHistoryLimit, p.child("failedJobsHistoryLimit")),
  ];
  const name = obj.metadata?.name ?? "";
  if (!context.old && name.length > 52) errs.push(invalid("metadata.name", name, "must be no more than 52 characters"));
  return errs;
}

function validateSchedule(spec: JsonRecord, oldSpec: JsonRecord | undefined, p: FieldPath): FieldError[] {
  const schedule = stringAt(spec, "schedule") ?? "";
  if (schedule === "") return [required(`${p}`)];
  const errs: FieldError[] = [];
  const parsed = parseCronSchedule(schedule);
  if (typeof parsed === "string") errs.push(invalid(`${p}`, schedule, parsed));
  const allowTZ = (stringAt(oldSpec, "schedule") ?? "").includes("TZ");
  if (allowTZ && schedule.includes("TZ") && spec.timeZone !== undefined && spec.timeZone !== null) {
    errs.push(invalid(`${p}`, schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"));
  } else if (!allowTZ && schedule.includes("TZ")) {
    errs.push(invalid(`${p}`, schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
  }
  return errs;
}

function validateTimeZone(timeZone: unknown, p: FieldPath): FieldError[] {
  if (typeof timeZone !== "string") return [];
  if (timeZone === "") return [invalid(`${p}`, timeZone, "timeZone must be nil or non-empty string")];
  const badPart = timeZone.split("/").some((part) => part === "." || part === ".." || part.startsWith("-") || !VALID_TIME_ZONE_PART.test(part));
  if (badPart) return [invalid(`${p}`, timeZone, `unknown time zone ${timeZone}`)];
  const errs: FieldError[] = [];
  if (timeZone.toLowerCase() === "local") errs.push(invalid(`${p}`, timeZone, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"));
  if (!isKnownTimeZone(timeZone)) errs.push(invalid(`${p}`, timeZone, `unknown time zone ${timeZone}`));
  return errs;
}

function validateConcurrencyPolicy(policy: unknown, p: FieldPath): FieldError[] {
  if (policy === undefined || policy === "") return [required(`${p}`)];
  return CONCURRENCY_POLICIES.includes(String(policy)) ? [] : [notSupported(`${p}`, policy, CONCURRENCY_POLICIES)];
}

/** upstream ValidateJobTemplateSpec: the job spec rules; the selector is always generated. */
function validateJobTemplate(jobTemplate: JsonRecord, p: FieldPath): FieldError[] {
  const spec = recordAt(jobTemplate, "spec") ?? {};
  const errs = validateJobSpecFields(spec, p.child("spec"));
  if (isRecord(spec.selector)) errs.push(invalid(`${p.child("spec", "selector")}`, spec.selector, "`selector` will be auto-generated"));
  if (spec.manualSelector === true) errs.push(notSupported(`${p.child("spec", "manualSelector")}`, true, ["nil", "false"]));
  return errs;
}

function cronJobColumns() {
  return [
    nameColumn(),
    column("Schedule", "string", fieldDoc("batch.v1.CronJobSpec", "schedule")),
    column("Timezone", "string", fieldDoc("batch.v1.CronJobSpec", "timeZone")),
    column("Suspend", "boolean", fieldDoc("batch.v1.CronJobSpec", "suspend")),
    column("Active", "integer", fieldDoc("batch.v1.CronJobStatus", "active")),
    column("Last Schedule", "string", fieldDoc("batch.v1.CronJobStatus", "lastScheduleTime")),
    ageColumn(),
    ...workloadWideColumns(fieldDoc("batch.v1.JobSpec", "selector")),
  ];
}

function cronJobCells(obj: KubeObject, now: Date): unknown[] {
  const lastSchedule = stringAt(obj, "status", "lastScheduleTime");
  const [containers, images] = containerCells(recordAt(obj, "spec", "jobTemplate", "spec", "template", "spec"));
  return [
    nameOf(obj), stringAt(obj, "spec", "schedule") ?? "", stringAt(obj, "spec", "timeZone") ?? "<none>", printBoolPtr(booleanAt(obj, "spec", "suspend")),
    (arrayAt(obj, "status", "active") ?? []).length, lastSchedule ? sinceTimestamp(lastSchedule, now) : "<none>", ageOf(obj, now),
    containers, images, formatLabelSelector(valueAt(obj, "spec", "jobTemplate", "spec", "selector")),
  ];
}
