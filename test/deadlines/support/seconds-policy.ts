import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A policy of seconds on wall-clock time, so deadlines fire within a test. */
export const SECONDS_POLICY = {
  version: 'test-seconds',
  calendar: 'wallclock',
  defaults: { signFor: 'PT4S', resolve: 'PT3S', whistleReport: 'PT2S', supervisionAnswer: 'PT2S', ratingWindow: 'PT2S', warnAt: 0.5 },
  rules: [],
  escalation: { onResolveOverdue: { grid: 'community', community: 'street', street: 'district', district: null } },
};

export function writePolicy(dir: string, policy: object = SECONDS_POLICY): string {
  const file = join(dir, 'sla-policy.json');
  writeFileSync(file, JSON.stringify(policy));
  return file;
}
