import { Logger } from '@nestjs/common';

/** 1 s, 2 s, 4 s … up to maxMs: quick recovery from a blip, no hammering of a Redis that stays broken. */
export const retryDelayMs = (attempt: number, baseMs: number, maxMs: number) =>
  Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));

export interface OutageState {
  since: string;
  failures: number;
  error: string;
}

/**
 * One outage of a dependency (Redis for deadlines, for intake limits), logged when it starts, when
 * its cause changes and when it ends. A Redis that refuses writes fails every retry the same way; logging each one
 * filled a gigabyte of log in minutes and hid everything else.
 */
export class Outage {
  private state: { startedAt: number; failures: number; error: string } | null = null;

  constructor(private readonly log: Logger, private readonly what: string) {}

  get current(): OutageState | null {
    if (!this.state) return null;
    const { startedAt, failures, error } = this.state;
    return { since: new Date(startedAt).toISOString(), failures, error };
  }

  failed(error: unknown, retryInMs?: number): void {
    // Redis names the Lua script that hit the error; the cause is the same as for a plain command.
    const message = ((error as Error)?.message ?? String(error)).replace(/ script: [0-9a-f]{40}, on @user_script:\d+\.?$/, '');
    const retry = retryInMs === undefined ? '' : `; retrying in ${Math.round(retryInMs / 100) / 10} s`;
    if (!this.state) {
      this.state = { startedAt: Date.now(), failures: 1, error: message };
      this.log.error(`${this.what} stopped: ${message}${retry}`);
      return;
    }
    this.state.failures += 1;
    if (message !== this.state.error) this.log.error(`${this.what} still failing, now: ${message}${retry}`);
    this.state.error = message;
  }

  recovered(): void {
    if (!this.state) return;
    const seconds = Math.round((Date.now() - this.state.startedAt) / 100) / 10;
    this.log.log(`${this.what} back after ${seconds} s (${this.state.failures} failed attempts)`);
    this.state = null;
  }
}
