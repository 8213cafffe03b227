import { JobsOptions, Queue } from 'bullmq';
import IORedis from 'ioredis';
import { PendingDeadline } from '@civicloop/deadlines';

export const DEADLINE_QUEUE = 'civicloop-deadlines';

export interface DeadlineJobData {
  caseId: string;
  deadlineId: string;
  dueAt: string;
}

/** BullMQ workers block on Redis: a command must wait for a reconnect, never fail after N retries. */
export const redisConnection = (url: string) => new IORedis(url, { maxRetriesPerRequest: null });

/**
 * Deterministic: case, deadline kind (and whistle/department or supervision), and the revision that
 * set it. Adding the same deadline twice is a no-op in BullMQ; BullMQ refuses ':' in custom ids.
 */
export const deadlineJobId = (caseId: string, deadlineId: string) =>
  `${encodeURIComponent(caseId)}.${encodeURIComponent(deadlineId)}`.replace(/:/g, '%3A');

export function deadlineJob(caseId: string, deadline: PendingDeadline, now: number) {
  const opts: JobsOptions = {
    jobId: deadlineJobId(caseId, deadline.deadlineId),
    delay: Math.max(0, Date.parse(deadline.dueAt) - now),
    // A fired deadline is recorded in the event store: Redis need not remember it.
    removeOnComplete: true,
    removeOnFail: { count: 10_000 },
    attempts: 8,
    backoff: { type: 'exponential', delay: 1000 },
  };
  const data: DeadlineJobData = { caseId, deadlineId: deadline.deadlineId, dueAt: deadline.dueAt };
  return { name: deadline.kind, data, opts };
}

export async function scheduleDeadlines(queue: Queue<DeadlineJobData>, jobs: ReturnType<typeof deadlineJob>[]): Promise<void> {
  for (let i = 0; i < jobs.length; i += 1000) await queue.addBulk(jobs.slice(i, i + 1000));
}

/** Best effort: a job that is running or already gone stays; the staleness check makes it harmless. */
export async function unscheduleDeadlines(queue: Queue<DeadlineJobData>, caseId: string, deadlineIds: string[]): Promise<void> {
  await Promise.all(deadlineIds.map((id) => queue.remove(deadlineJobId(caseId, id)).catch(() => 0)));
}
