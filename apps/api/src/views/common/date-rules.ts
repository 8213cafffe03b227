import { isISO8601, ValidateBy, ValidationArguments } from 'class-validator';

/** A real day of the calendar, YYYY-MM-DD: 2026-02-30 and 2026-13-45 are refused, not rolled over. */
export const IsCalendarDate = () => ValidateBy({
  name: 'isCalendarDate',
  validator: {
    validate: (value: unknown) => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && isISO8601(value, { strict: true }),
    defaultMessage: ({ property }: ValidationArguments) => `${property} must be a real calendar date YYYY-MM-DD`,
  },
});

/** The end of a range may not come before its start (an empty answer would hide the mistake). */
export const IsNotBefore = (startProperty: string) => ValidateBy({
  name: 'isNotBefore',
  constraints: [startProperty],
  validator: {
    validate: (value: unknown, args?: ValidationArguments) => {
      const start = (args?.object as Record<string, unknown> | undefined)?.[startProperty];
      if (typeof value !== 'string' || typeof start !== 'string') return true; // each is checked on its own
      const [from, to] = [Date.parse(start), Date.parse(value)];
      return Number.isNaN(from) || Number.isNaN(to) || from <= to;
    },
    defaultMessage: ({ property }: ValidationArguments) => `${property} must not be before ${startProperty}`,
  },
});
