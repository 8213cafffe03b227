import { createParser } from 'eventsource-parser';
import { onBeforeUnmount, ref, watch } from 'vue';
import type { StreamNotice } from '../api/types';
import { useSession } from './useSession';

type Listener = (notice: StreamNotice) => void;

const listeners = new Set<Listener>();
/** True while the stream is open; pages show it as the live indicator. */
export const streamLive = ref(false);
let lastEventId: string | null = null;
let controller: AbortController | null = null;

/**
 * One Server-Sent Events connection per tab, read with fetch so the token goes in the
 * Authorization header (EventSource cannot send headers, and a token in the URL ends up in logs).
 * Reconnects after a drop, resuming after the last event it saw (Last-Event-ID).
 */
async function connect(token: string, abort: AbortController): Promise<void> {
  while (!abort.signal.aborted) {
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'text/event-stream' };
      if (lastEventId) headers['last-event-id'] = lastEventId;
      const response = await fetch('/events/stream', { headers, signal: abort.signal });
      if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
      streamLive.value = true;
      const parser = createParser({
        onEvent(message) {
          // A chunk read before a sign-out must not bring the last user's position back.
          if (abort.signal.aborted) return;
          if (message.id) lastEventId = message.id;
          if (message.event !== 'case') return;
          const notice: StreamNotice = JSON.parse(message.data);
          listeners.forEach((listener) => listener(notice));
        },
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
    } catch {
      if (abort.signal.aborted) return;
    }
    streamLive.value = false;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

export function startEventStream(): void {
  const token = useSession().token.value;
  if (!token || controller) return;
  controller = new AbortController();
  void connect(token, controller);
}

export function stopEventStream(): void {
  controller?.abort();
  controller = null;
  lastEventId = null;
  streamLive.value = false;
}

/**
 * The position of the newest event the feed has brought to this tab. A page opened later reads its
 * view consistent with it: the notice of an event it must show may have come before the page
 * listened, while the view was still behind that event (a board opened just after an intake
 * elsewhere otherwise missed the new case for good).
 */
export function seenPosition(): number | undefined {
  // Each message's id is its event's position, and the feed delivers them in order.
  return lastEventId === null ? undefined : Number(lastEventId);
}

// Signed out in any way (the header's button, or a 401 on an expired token): the stream, its token and
// its positions end with the user, or the next one in this tab would be served the last one's feed.
watch(() => useSession().token.value, (token) => { if (!token) stopEventStream(); });

/** Calls `listener` for every event the signed-in user may see, while the calling component lives. */
export function onCaseEvent(listener: Listener): void {
  startEventStream();
  listeners.add(listener);
  onBeforeUnmount(() => listeners.delete(listener));
}

/**
 * Calls `read` once per burst of events (a command writes one or two) with the burst's newest
 * position, while the calling component lives: one read of a view instead of one per event.
 */
export function onCaseEventBursts(read: (position: number) => void, waitMs = 150): void {
  let pending: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  onCaseEvent((notice) => {
    pending = Math.max(pending ?? 0, notice.position);
    if (timer) return;
    timer = setTimeout(() => {
      const position = pending ?? notice.position;
      pending = null;
      timer = null;
      read(position);
    }, waitMs);
  });
  onBeforeUnmount(() => { if (timer) clearTimeout(timer); });
}
