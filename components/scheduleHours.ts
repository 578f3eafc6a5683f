/**
 * Hour-weighted node counts of a group under Auto Scaling schedules: the arithmetic behind a schedule-aware
 * cost estimate, kept pure so the plan and the cost-within-budget policy price alike.
 *
 * Month model: the schedules are replayed over a reference year (2027, 365 days, each schedule's recurrence
 * evaluated in its own IANA time zone, daylight saving included), and the time-weighted average min /
 * expected / max node counts are what a month of 730 hours is billed at. Between two firings the sizes of the
 * last firing hold; before the first firing of the year, those of the year's last firing (schedules recur).
 * Expected is the group's configured desiredSize clamped into the bounds in force, which is what the Cluster
 * Autoscaler keeps when nothing is pending.
 */

export interface ScheduleWindow {
    cron: string;
    /** IANA time zone; default UTC. */
    timezone?: string;
    minSize: number;
    maxSize: number;
    desiredSize: number;
}

export interface Sizes {
    minSize: number;
    maxSize: number;
    desiredSize: number;
}

export interface AverageNodes {
    min: number;
    expected: number;
    max: number;
}

interface Cron {
    minutes: Set<number>;
    hours: Set<number>;
    days: Set<number>;
    months: Set<number>;
    weekdays: Set<number>;
    dayRestricted: boolean;
    weekdayRestricted: boolean;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

function field(text: string, lo: number, hi: number, names: string[] = [], nameBase = lo): Set<number> {
    const out = new Set<number>();
    const value = (s: string): number => {
        const i = names.indexOf(s.toUpperCase());
        const n = i >= 0 ? i + nameBase : Number(s);
        if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`cron: ${JSON.stringify(s)} is outside ${lo}-${hi}`);
        return n;
    };
    for (const part of text.split(",")) {
        const [range, stepText] = part.split("/");
        const step = stepText === undefined ? 1 : Number(stepText);
        if (!Number.isInteger(step) || step < 1) throw new Error(`cron: bad step in ${JSON.stringify(part)}`);
        let from: number, to: number;
        if (range === "*") [from, to] = [lo, hi];
        else if (range.includes("-")) [from, to] = range.split("-").map(value) as [number, number];
        else [from, to] = [value(range), stepText === undefined ? value(range) : hi];
        for (let n = from; n <= to; n += step) out.add(n);
    }
    return out;
}

/** A 5-field Unix cron as Auto Scaling takes it (names allowed; weekday 7 is Sunday). */
export function parseCron(expr: string): Cron {
    const f = expr.trim().split(/\s+/);
    if (f.length !== 5) throw new Error(`cron: ${JSON.stringify(expr)} must have 5 fields`);
    const weekdays = field(f[4], 0, 7, WEEKDAYS, 0);
    if (weekdays.delete(7)) weekdays.add(0);
    return {
        minutes: field(f[0], 0, 59), hours: field(f[1], 0, 23), days: field(f[2], 1, 31), months: field(f[3], 1, 12, MONTHS, 1), weekdays,
        dayRestricted: f[2] !== "*", weekdayRestricted: f[4] !== "*",
    };
}

function dayMatches(c: Cron, day: number, weekday: number): boolean {
    // Unix cron: with both day-of-month and day-of-week restricted, either may match.
    if (c.dayRestricted && c.weekdayRestricted) return c.days.has(day) || c.weekdays.has(weekday);
    return c.days.has(day) && c.weekdays.has(weekday);
}

const HOUR_MS = 3600_000;
const MINUTE_MS = 60_000;
export const REFERENCE_YEAR = 2027;

/** Offset of `timeZone` from UTC at `utcMs`, in minutes. */
function offsetMinutes(format: Intl.DateTimeFormat, utcMs: number): number {
    const p: Record<string, number> = {};
    for (const part of format.formatToParts(new Date(utcMs))) if (part.type !== "literal") p[part.type] = Number(part.value);
    const local = Date.UTC(p.year, p.month - 1, p.day, p.hour === 24 ? 0 : p.hour, p.minute);
    return Math.round((local - utcMs) / MINUTE_MS);
}

/**
 * The offsets in force over [start, end): each from the first whole UTC hour at which Intl reports it.
 * Sampled weekly, then narrowed to the hour by bisection: time zones change offset at most once a week.
 */
function offsetTransitions(format: Intl.DateTimeFormat, start: number, end: number): { at: number; offset: number }[] {
    const WEEK_MS = 7 * 24 * HOUR_MS;
    const out = [{ at: start, offset: offsetMinutes(format, start) }];
    for (let from = start; from < end; from += WEEK_MS) {
        const to = Math.min(from + WEEK_MS, end);
        const before = out[out.length - 1].offset;
        const after = offsetMinutes(format, to);
        if (after === before) continue;
        let lo = from, hi = to; // offset(lo) = before, offset(hi) = after
        while (hi - lo > HOUR_MS) {
            const mid = lo + Math.floor((hi - lo) / HOUR_MS / 2) * HOUR_MS;
            if (offsetMinutes(format, mid) === before) lo = mid;
            else hi = mid;
        }
        if (hi < end) out.push({ at: hi, offset: after });
    }
    return out;
}

/** UTC instants (ms) in [start, end) at which the schedule fires. */
export function firings(schedule: Pick<ScheduleWindow, "cron" | "timezone">, start: number, end: number): number[] {
    const cron = parseCron(schedule.cron);
    const format = new Intl.DateTimeFormat("en-US", {
        timeZone: schedule.timezone ?? "UTC", hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric",
    });
    const utc = (schedule.timezone ?? "UTC") === "UTC";
    // Each Intl call costs tens of microseconds: find the offset's changes (twice a year where DST
    // applies) and look hours up in them, instead of asking Intl every day.
    const transitions = utc ? [{ at: start, offset: 0 }] : offsetTransitions(format, start, end);
    let next = 0;
    const offsetAt = (hour: number): number => {
        while (next + 1 < transitions.length && transitions[next + 1].at <= hour) next++;
        return transitions[next].offset;
    };
    const out: number[] = [];
    for (let hour = start; hour < end; hour += HOUR_MS) {
        const offset = offsetAt(hour);
        for (const minute of cron.minutes) {
            // The UTC minute of this UTC hour whose local minute is `minute`.
            const utcMinute = (((minute - offset) % 60) + 60) % 60;
            const at = hour + utcMinute * MINUTE_MS;
            const local = new Date(at + offset * MINUTE_MS);
            if (cron.hours.has(local.getUTCHours()) && cron.months.has(local.getUTCMonth() + 1) && dayMatches(cron, local.getUTCDate(), local.getUTCDay())) out.push(at);
        }
    }
    return out.sort((a, b) => a - b);
}

/** Whether a recurrence and time zone can be replayed (a malformed one is left out of the weighting). */
export function isReplayable(schedule: Pick<ScheduleWindow, "cron" | "timezone">): boolean {
    try {
        parseCron(schedule.cron);
        new Intl.DateTimeFormat("en-US", { timeZone: schedule.timezone ?? "UTC" });
        return true;
    } catch {
        return false;
    }
}

// A plan prices every group more than once (the estimate, then the budget policies): replaying a year of a
// recurrence in its time zone is the costly part, and its result depends on nothing else.
const yearFirings = new Map<string, readonly number[]>();
function referenceYearFirings(schedule: Pick<ScheduleWindow, "cron" | "timezone">): readonly number[] {
    const key = `${schedule.cron}\u0000${schedule.timezone ?? "UTC"}`;
    let found = yearFirings.get(key);
    if (found === undefined) {
        found = firings(schedule, Date.UTC(REFERENCE_YEAR, 0, 1), Date.UTC(REFERENCE_YEAR + 1, 0, 1));
        yearFirings.set(key, found);
    }
    return found;
}

/** Time-weighted average node counts over the reference year; the group's own sizes when it has no schedule that fires. */
export function averageNodes(group: Sizes, schedules: readonly ScheduleWindow[]): AverageNodes {
    const start = Date.UTC(REFERENCE_YEAR, 0, 1), end = Date.UTC(REFERENCE_YEAR + 1, 0, 1);
    const clamp = (s: Sizes) => Math.min(Math.max(group.desiredSize, s.minSize), s.maxSize);
    const events = schedules
        .flatMap((s, order) => referenceYearFirings(s).map((at) => ({ at, order, sizes: s })))
        .sort((a, b) => a.at - b.at || a.order - b.order);
    if (events.length === 0) return { min: group.minSize, expected: clamp(group), max: group.maxSize };
    const sum = { min: 0, expected: 0, max: 0 };
    const add = (sizes: Sizes, ms: number) => {
        sum.min += sizes.minSize * ms;
        sum.expected += clamp(sizes) * ms;
        sum.max += sizes.maxSize * ms;
    };
    add(events[events.length - 1].sizes, events[0].at - start);
    events.forEach((e, i) => add(e.sizes, (i + 1 < events.length ? events[i + 1].at : end) - e.at));
    const total = end - start;
    return { min: sum.min / total, expected: sum.expected / total, max: sum.max / total };
}
