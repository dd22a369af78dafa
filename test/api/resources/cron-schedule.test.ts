// CronJob schedules parsed as robfig/cron's standard parser, with its error messages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCronSchedule, parseGoDuration } from "../../../src/api/resources/cron-schedule.js";

test("standard schedules, names, ranges, steps and descriptors parse", () => {
  const hourly = parseCronSchedule("@hourly");
  assert.ok(typeof hourly !== "string");
  assert.deepEqual([...hourly.minutes], [0]);
  const weekdays = parseCronSchedule("*/15 9-17 * JAN-mar mon-FRI");
  assert.ok(typeof weekdays !== "string");
  assert.deepEqual([...weekdays.minutes], [0, 15, 30, 45]);
  assert.deepEqual([...weekdays.months], [1, 2, 3]);
  assert.deepEqual([...weekdays.daysOfWeek], [1, 2, 3, 4, 5]);
  assert.equal(weekdays.anyDayOfMonth, true);
  const every = parseCronSchedule("@every 1h30m");
  assert.ok(typeof every !== "string");
  assert.equal(every.everyMs, 90 * 60 * 1000);
  const zoned = parseCronSchedule("CRON_TZ=Europe/Paris 0 6 * * *");
  assert.ok(typeof zoned !== "string");
  assert.equal(zoned.timeZone, "Europe/Paris");
});

test("bad schedules fail with robfig/cron's messages", () => {
  const cases: [string, string][] = [
    ["", "empty spec string"],
    ["* * * *", "expected exactly 5 fields, found 4: [* * * *]"],
    ["60 * * * *", "end of range (60) above maximum (59): 60"],
    ["* * 0 * *", "beginning of range (0) below minimum (1): 0"],
    ["5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"],
    ["*/0 * * * *", "step of range should be a positive number: */0"],
    ["a * * * *", 'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax'],
    ["1-2-3 * * * *", "too many hyphens: 1-2-3"],
    ["*/2/3 * * * *", "too many slashes: */2/3"],
    ["* * * * 7", "end of range (7) above maximum (6): 7"],
    ["@fortnightly", "unrecognized descriptor: @fortnightly"],
    ["TZ=Mars/Olympus * * * * *", "provided bad location Mars/Olympus: unknown time zone Mars/Olympus"],
  ];
  for (const [spec, message] of cases) assert.equal(parseCronSchedule(spec), message, spec);
});

test("Go durations parse the way @every reads them", () => {
  assert.equal(parseGoDuration("90s"), 90000);
  assert.equal(parseGoDuration("1.5h"), 5400000);
  assert.equal(parseGoDuration("10"), undefined);
});
