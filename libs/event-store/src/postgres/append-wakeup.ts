import { Client, ClientConfig } from 'pg';
import { AppendSignal } from '../poll-subscription';

export const APPEND_CHANNEL = 'civicloop_events';

/**
 * Wakes subscriptions in every process when any process appends: LISTEN on one connection per
 * store while it has subscriptions, NOTIFY after each acknowledged append. Subscriptions also poll,
 * so a lost notification (a dropped connection, a crash between commit and NOTIFY) only delays.
 *
 * Why NOTIFY is sent after the append's commit and not inside its transaction: a transaction that
 * notifies takes a server-wide lock at commit and holds it until the commit is done, so appends
 * that notified inside would commit one at a time, each waiting for the previous one's WAL flush.
 * Sent afterwards, from a connection of its own with synchronous_commit=off (a notification needs
 * no durability), appends keep PostgreSQL's group commit. Notifications are also throttled: a
 * NOTIFY is a transaction of its own, and one per append halved a single writer's appends per
 * second in bench/event-store (the server's CPU went to the notifications). The first append after
 * a quiet spell notifies at once; appends within the next NOTIFY_WINDOW_MS share one more.
 */
const NOTIFY_WINDOW_MS = 10;

export class AppendWakeup {
  private notifier: Client | null = null;
  private sending: Promise<void> | null = null;
  private again = false;
  private listener: Client | null = null;
  private listeners = 0;
  private reconnect: NodeJS.Timeout | null = null;
  private backoffMs = 100;
  private closed = false;

  constructor(private readonly config: ClientConfig, readonly signal: AppendSignal) {}

  /** After an acknowledged append: wake this process's subscriptions now, other processes' soon. */
  announce(): void {
    this.signal.notify();
    if (this.closed) return;
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = this.sendNotifications().finally(() => (this.sending = null));
  }

  private async sendNotifications(): Promise<void> {
    do {
      this.again = false;
      const started = Date.now();
      try {
        this.notifier ??= await this.connect('SET synchronous_commit = off', () => (this.notifier = null));
        await this.notifier.query(`SELECT pg_notify('${APPEND_CHANNEL}', '')`);
      } catch {
        // Polling covers a missed wake-up; the next append connects again.
        this.notifier?.end().catch(() => undefined);
        this.notifier = null;
        return;
      }
      const rest = NOTIFY_WINDOW_MS - (Date.now() - started);
      if (this.again && rest > 0 && !this.closed) await new Promise((resolve) => setTimeout(resolve, rest));
    } while (this.again && !this.closed);
  }

  /** A subscription starts listening; call the returned function when it stops. */
  listen(): () => void {
    this.listeners += 1;
    if (this.listeners === 1) this.startListening();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.listeners -= 1;
      if (this.listeners === 0) this.stopListening();
    };
  }

  private startListening(): void {
    if (this.closed || this.listener || this.listeners === 0) return;
    const lost = () => {
      if (this.listener === client) this.listener = null;
      client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    const client = new Client(this.config);
    this.listener = client;
    client.on('error', lost);
    client.on('notification', () => this.signal.notify());
    client.connect()
      .then(() => client.query(`LISTEN ${APPEND_CHANNEL}`))
      .then(() => {
        this.backoffMs = 100;
        // Appends while no one listened were not heard: let the subscriptions look once.
        this.signal.notify();
      })
      .catch(lost);
  }

  private scheduleReconnect(): void {
    if (this.closed || this.listeners === 0 || this.reconnect) return;
    this.reconnect = setTimeout(() => {
      this.reconnect = null;
      this.startListening();
    }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, 5000);
  }

  private stopListening(): void {
    if (this.reconnect) clearTimeout(this.reconnect);
    this.reconnect = null;
    const client = this.listener;
    this.listener = null;
    client?.end().catch(() => undefined);
  }

  private async connect(setup: string, onLost: () => void): Promise<Client> {
    const client = new Client(this.config);
    client.on('error', () => {
      onLost();
      client.end().catch(() => undefined);
    });
    try {
      await client.connect();
      await client.query(setup);
      return client;
    } catch (error) {
      client.end().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.sending;
    this.listeners = 0;
    this.stopListening();
    await this.notifier?.end().catch(() => undefined);
    this.notifier = null;
  }
}
