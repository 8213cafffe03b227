/** The board's queues and filters as the query of GET /views/board (no framework: the entry builds the first one). */
export type Queue = 'all' | 'new' | 'returned' | 'waiting' | 'overdue';

export interface BoardFilters { area: string; category: string; urgency: string; channel: string; q: string }

/** Rows on screen at first: the 20 most recent paint at once; more on request. */
export const BOARD_PAGE = 20;

const STATUS_OF_QUEUE: Record<Queue, string> = {
  all: 'received,dispatched,accepted', new: 'received', returned: 'received', waiting: 'dispatched', overdue: 'received,dispatched,accepted',
};

export const NO_FILTERS: BoardFilters = { area: '', category: '', urgency: '', channel: '', q: '' };

export function boardQuery(queue: Queue, filters: BoardFilters, limit: number, consistentWith?: number) {
  return {
    status: STATUS_OF_QUEUE[queue],
    overdue: queue === 'overdue' ? ('true' as const) : undefined,
    area: filters.area || undefined, category: filters.category || undefined, urgency: filters.urgency || undefined,
    channel: filters.channel || undefined, q: filters.q.trim() || undefined,
    consistentWith: consistentWith === undefined ? undefined : String(consistentWith), sort: '-receivedAt' as const, limit: String(limit),
  };
}
