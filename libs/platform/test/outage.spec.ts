import { Logger } from '@nestjs/common';
import { Outage, retryDelayMs } from '../src/outage';

const MISCONF = 'MISCONF Redis is configured to save RDB snapshots, but it is currently unable to persist to disk.';

describe('Outage: one log line when a dependency fails, when the cause changes, and when it is back', () => {
  const lines: string[] = [];
  const log = new Logger('test');
  beforeEach(() => {
    lines.length = 0;
    jest.spyOn(log, 'error').mockImplementation((...args: unknown[]) => void lines.push(`error ${args[0]}`));
    jest.spyOn(log, 'log').mockImplementation((...args: unknown[]) => void lines.push(`log ${args[0]}`));
  });
  afterEach(() => jest.restoreAllMocks());

  it('logs the first failure, not its repeats; a Lua script error is the same cause as a plain command', () => {
    const outage = new Outage(log, 'scheduling');
    outage.failed(new Error(MISCONF), 1000);
    for (let i = 0; i < 1000; i++) outage.failed(new Error(`${MISCONF} script: 6c4c6de2bece2ad87657691d945d902df2198f5e, on @user_script:181.`));
    expect(lines).toEqual([`error scheduling stopped: ${MISCONF}; retrying in 1 s`]);
    expect(outage.current).toMatchObject({ failures: 1001, error: MISCONF, since: expect.any(String) });
  });

  it('logs a change of cause, then the end with how many attempts failed; a new outage is logged again', () => {
    const outage = new Outage(log, 'worker');
    outage.failed(new Error(MISCONF));
    outage.failed(new Error("READONLY You can't write against a read only replica."), 2000);
    outage.recovered();
    outage.recovered();
    expect(outage.current).toBeNull();
    outage.failed(new Error(MISCONF));
    expect(lines).toEqual([
      `error worker stopped: ${MISCONF}`,
      "error worker still failing, now: READONLY You can't write against a read only replica.; retrying in 2 s",
      expect.stringMatching(/^log worker back after [\d.]+ s \(2 failed attempts\)$/),
      `error worker stopped: ${MISCONF}`,
    ]);
  });

  it('backs off by doubling up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => retryDelayMs(attempt, 1000, 10_000))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });
});
