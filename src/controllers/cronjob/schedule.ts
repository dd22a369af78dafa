// When a CronJob runs (upstream pkg/controller/cronjob/utils.go over robfig/cron v3):
// - nextTime is robfig's SpecSchedule.Next: the first whole second strictly after t that matches,
//   walking months, days, hours and minutes in the schedule's time zone (DST handled as robfig
//   does), giving up after five years; "@every d" is t + d;
// - mostRecentScheduleTime finds the latest unmet start between the last schedule (or creation)
//   and now, and classifies the missed starts as none, few, or many (more than 100, when the
//   controller only warns: upstream's guard against a wildly wrong clock);
// - nextScheduleTimeDuration is how long until the next start, plus upstream's 100 ms margin.
// Schedules without a zone run in UTC (upstream: the controller manager's local zone).
import { parseCronSchedule, type CronSchedule } from "../../api/resources/cron-schedule.js";
import { timeMs } from "../../api/meta-time.js";
import type { CronJob } from "./objects.js";
import { Zone, type Wall } from "./zone.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** nextScheduleDelta: requeue a little after the start, for clock skew. */
export const NEXT_SCHEDULE_DELTA_MS = 100;
/** Beyond this many missed starts the controller warns TooManyMissedTimes. */
export const MAX_MISSED_SCHEDULES = 100;

export type MissedSchedules = "none" | "few" | "many";

/** A parsed schedule with the zone it runs in. */
export interface Schedule {
  cron: CronSchedule;
  zone: Zone;
}

/**
 * formatSchedule + cron.ParseStandard: spec.timeZone becomes the schedule's zone unless the
 * schedule has its own TZ= prefix. Returns robfig's error text for an unparseable schedule.
 */
export function scheduleOf(cj: CronJob): Schedule | string {
  const spec = cj.spec.schedule.includes("TZ") || cj.spec.timeZone === undefined ? cj.spec.schedule : `TZ=${cj.spec.timeZone} ${cj.spec.schedule}`;
  const cron = parseCronSchedule(spec);
  if (typeof cron === "string") return cron;
  return { cron, zone: new Zone(cron.timeZone ?? "UTC") };
}

/** robfig SpecSchedule.Next / ConstantDelaySchedule.Next; undefined when nothing matches within five years. */
export function nextTime(schedule: Schedule, afterMs: number): number | undefined {
  const { cron, zone } = schedule;
  if (cron.everyMs !== undefined) {
    const delay = Math.max(SECOND, cron.everyMs - (cron.everyMs % SECOND));
    return Math.floor(afterMs / SECOND) * SECOND + delay;
  }
  const walk = new ScheduleWalk(cron, zone, Math.floor(afterMs / SECOND) * SECOND + SECOND);
  return walk.run();
}

/** The field-by-field walk of robfig's Next; `added` is set once t was moved to a field's start. */
class ScheduleWalk {
  private added = false;
  private readonly yearLimit: number;

  constructor(
    private readonly cron: CronSchedule,
    private readonly zone: Zone,
    private t: number,
  ) {
    this.yearLimit = zone.wall(t).year + 5;
  }

  run(): number | undefined {
    for (;;) {
      if (this.zone.wall(this.t).year > this.yearLimit) return undefined;
      if (this.advanceMonth() && this.advanceDay() && this.advanceHour() && this.advanceMinute() && this.advanceSecond()) return this.t;
    }
  }

  private get w(): Wall {
    return this.zone.wall(this.t);
  }

  /** Each advance returns false when it wrapped to a new period (start over from the month). */
  private advanceMonth(): boolean {
    while (!this.cron.months.has(this.w.month)) {
      this.reset((w) => this.zone.date(w.year, w.month, 1, 0, 0, 0));
      const w = this.w;
      this.t = this.zone.date(w.year, w.month + 1, w.day, w.hour, w.minute, w.second);
      if (this.w.month === 1) return false;
    }
    return true;
  }

  private advanceDay(): boolean {
    while (!dayMatches(this.cron, this.w)) {
      this.reset((w) => this.zone.date(w.year, w.month, w.day, 0, 0, 0));
      const w = this.w;
      this.t = this.zone.date(w.year, w.month, w.day + 1, w.hour, w.minute, w.second);
      // A DST change moved midnight: go back to it.
      const hour = this.w.hour;
      if (hour !== 0) this.t += (hour > 12 ? 24 - hour : -hour) * HOUR;
      if (this.w.day === 1) return false;
    }
    return true;
  }

  private advanceHour(): boolean {
    while (!this.cron.hours.has(this.w.hour)) {
      this.reset((w) => this.zone.date(w.year, w.month, w.day, w.hour, 0, 0));
      this.t += HOUR;
      if (this.w.hour === 0) return false;
    }
    return true;
  }

  private advanceMinute(): boolean {
    while (!this.cron.minutes.has(this.w.minute)) {
      this.reset(() => Math.floor(this.t / MINUTE) * MINUTE);
      this.t += MINUTE;
      if (this.w.minute === 0) return false;
    }
    return true;
  }

  /** ParseStandard schedules run at second 0. */
  private advanceSecond(): boolean {
    while (this.w.second !== 0) {
      this.reset(() => Math.floor(this.t / SECOND) * SECOND);
      this.t += SECOND;
      if (this.w.second === 0) return false;
    }
    return true;
  }

  private reset(start: (w: Wall) => number): void {
    if (this.added) return;
    this.added = true;
    this.t = start(this.w);
  }
}

/** robfig dayMatches: with a "*" in either day field both must match, otherwise either. */
function dayMatches(cron: CronSchedule, w: Wall): boolean {
  const domMatch = cron.daysOfMonth.has(w.day);
  const dowMatch = cron.daysOfWeek.has(w.weekday);
  return cron.anyDayOfMonth || cron.anyDayOfWeek ? domMatch && dowMatch : domMatch || dowMatch;
}

export interface MostRecent {
  /** The last schedule time, or the creation time. */
  earliestMs: number;
  /** The latest start not after now, if any. */
  mostRecentMs?: number;
  missed: MissedSchedules;
  error?: string;
}

/** mostRecentScheduleTime. */
export function mostRecentScheduleTime(cj: CronJob, nowMs: number, schedule: Schedule, includeStartingDeadlineSeconds: boolean): MostRecent {
  let earliestMs = timeMs(cj.status?.lastScheduleTime) ?? timeMs(cj.metadata.creationTimestamp) ?? nowMs;
  const deadline = cj.spec.startingDeadlineSeconds;
  // The controller will not schedule anything before now - startingDeadlineSeconds.
  if (includeStartingDeadlineSeconds && deadline !== undefined && deadline !== null) earliestMs = Math.max(earliestMs, nowMs - deadline * SECOND);
  const t1 = nextTime(schedule, earliestMs);
  const t2 = t1 === undefined ? undefined : nextTime(schedule, t1);
  if (t1 !== undefined && nowMs < t1) return { earliestMs, missed: "none" };
  if (t1 !== undefined && t2 !== undefined && nowMs < t2) return { earliestMs, mostRecentMs: t1, missed: "none" };
  // A schedule that parses but never matches (the 31st of February) has no interval.
  const between = t1 === undefined || t2 === undefined ? 0 : Math.round((t2 - t1) / SECOND);
  if (t1 === undefined || between < 1) return { earliestMs, missed: "none", error: "time difference between two schedules is less than 1 second" };
  // Roughly how many intervals fit since t1; then walk the last ones exactly.
  const missedCount = Math.trunc((nowMs - t1) / SECOND / between) + 1;
  let mostRecentMs: number | undefined;
  for (let t = nextTime(schedule, t1 + (missedCount - 2) * between * SECOND); t !== undefined && t <= nowMs; t = nextTime(schedule, t)) mostRecentMs = t;
  const missed: MissedSchedules = missedCount > MAX_MISSED_SCHEDULES ? "many" : missedCount > 0 ? "few" : "none";
  return { earliestMs, mostRecentMs, missed };
}

/** nextScheduleTimeDuration: milliseconds until the next start after the last one, plus the margin. */
export function nextScheduleTimeDuration(cj: CronJob, nowMs: number, schedule: Schedule): number | undefined {
  const { earliestMs, mostRecentMs, missed, error } = mostRecentScheduleTime(cj, nowMs, schedule, false);
  let from: number;
  if (error !== undefined) from = nowMs;
  else if (mostRecentMs === undefined) from = missed === "none" ? earliestMs : nowMs;
  else from = mostRecentMs;
  const next = nextTime(schedule, from);
  return next === undefined ? undefined : next + NEXT_SCHEDULE_DELTA_MS - nowMs;
}

/** nextScheduleTime: the unmet start to run now (within startingDeadlineSeconds), if any. */
export function nextScheduleTime(cj: CronJob, nowMs: number, schedule: Schedule): { scheduledMs?: number; missed: MissedSchedules; error?: string } {
  const { mostRecentMs, missed, error } = mostRecentScheduleTime(cj, nowMs, schedule, true);
  if (mostRecentMs === undefined || mostRecentMs > nowMs) return { missed, error };
  return { scheduledMs: mostRecentMs, missed, error };
}
