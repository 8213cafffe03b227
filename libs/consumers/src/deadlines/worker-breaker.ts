import { Worker } from 'bullmq';
import { Outage, retryDelayMs } from '@civicloop/platform';

export interface BreakerTiming {
  baseMs: number;
  maxMs: number;
}

/**
 * BullMQ's worker waits before retrying when Redis is unreachable, but when Redis answers with an
 * error (MISCONF after a failed snapshot, READONLY replica, OOM) it fetches again at once: thousands
 * of failing calls a second. On the first error the worker is paused; it resumes once a write to
 * Redis goes through, probed with backoff. Jobs wait in Redis meanwhile, so none is lost.
 */
export class WorkerBreaker {
  private open = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private resumedAt = 0;

  constructor(
    private readonly worker: Worker,
    private readonly probe: () => Promise<void>,
    private readonly outage: Outage,
    private readonly timing: BreakerTiming,
  ) {}

  get paused(): boolean {
    return this.open;
  }

  onError(error: unknown): void {
    if (this.stopped) return;
    if (this.open) {
      this.outage.failed(error);
      return;
    }
    this.open = true;
    // Failing again right after a resume is the same outage: keep backing off rather than restart at 1 s.
    this.attempt = Date.now() - this.resumedAt < this.timing.maxMs * 2 ? this.attempt : 0;
    // Running jobs finish on their own; waiting for them here would hold the error handler.
    this.worker.pause(true).catch(() => undefined);
    this.retryLater(error);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private retryLater(error: unknown): void {
    const delay = retryDelayMs(++this.attempt, this.timing.baseMs, this.timing.maxMs);
    this.outage.failed(error, delay);
    this.timer = setTimeout(() => void this.tryResume(), delay);
    this.timer.unref();
  }

  private async tryResume(): Promise<void> {
    this.timer = null;
    if (this.stopped) return;
    try {
      await this.probe();
    } catch (error) {
      this.retryLater(error);
      return;
    }
    if (this.stopped) return;
    this.open = false;
    this.resumedAt = Date.now();
    this.outage.recovered();
    this.worker.resume();
  }
}
