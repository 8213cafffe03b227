/** The part of autocannon's API the benchmarks use (the package ships no types). */
export interface LoadRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: LoadRequest, context: Record<string, unknown>) => LoadRequest;
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}

interface Histogram { average: number; p50: number; p99: number; max: number }

export interface LoadResult {
  duration: number;
  latency: Histogram;
  requests: Histogram & { total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
}

export interface LoadOptions {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  requests?: LoadRequest[];
}

 
const autocannon = require('autocannon') as (options: LoadOptions & Record<string, unknown>) => Promise<LoadResult>;

/** Runs autocannon in this process against a server in another one. */
export async function load(options: LoadOptions): Promise<LoadResult & { okPerSecond: number }> {
  const result = await autocannon({ ...options, timeout: 30 });
  return { ...result, okPerSecond: result['2xx'] / result.duration };
}
