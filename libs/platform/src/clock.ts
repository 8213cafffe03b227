/** The only source of "now" for events: tests and the simulator inject their own. */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol('Clock');

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to: for tests and simulated days. */
export class ManualClock implements Clock {
  constructor(private current: Date = new Date('2026-01-05T01:00:00.000Z')) {}

  now(): Date {
    return new Date(this.current);
  }

  set(at: Date | string): void {
    this.current = new Date(at);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
