/**
 * Calendar dates as the configuration and suppressions write them (YYYY-MM-DD, UTC). Its own
 * module because both the config schema and the suppressions read it, and neither should import
 * the other.
 */

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `s` is a real calendar date written as YYYY-MM-DD (2027-02-30 is not). */
export function isValidDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** The UTC date of an instant, as YYYY-MM-DD. */
export function dayOf(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}
