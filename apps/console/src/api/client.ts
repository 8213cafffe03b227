import createClient from 'openapi-fetch';
import type { paths } from './schema';
import { useSession } from '../composables/useSession';
import { fetchWithFirstReads } from './firstReads';

/** A refusal of the API in its one error shape, or NETWORK when it did not answer. */
export class ApiFailure extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly fields: { field: string; problem: string }[] = []) {
    super(message);
  }
}

const session = useSession();

/** Typed from the OpenAPI document (generated into schema.d.ts by `npm run build:console`). */
export const api = createClient<paths>({ baseUrl: '', fetch: fetchWithFirstReads });
api.use({
  onRequest({ request }) {
    const token = session.token.value;
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
});

interface Answer { data?: unknown; error?: unknown; response: Response }

function failureOf(error: unknown, response: Response): ApiFailure {
  const body = error && typeof error === 'object' ? (error as Record<string, unknown>) : {};
  const code = typeof body.code === 'string' ? body.code : 'INTERNAL_ERROR';
  const fields = Array.isArray(body.fields) ? (body.fields as { field: string; problem: string }[]) : [];
  return new ApiFailure(response.status, code, typeof body.message === 'string' ? body.message : response.statusText, fields);
}

/**
 * Awaits a call and hands back its body as the server's type. The document types requests; the
 * answers are typed by `api/types.ts` (the server's own types), so this is the one place where an
 * answer is taken to be of its declared type.
 */
export async function answer<T>(call: Promise<Answer>): Promise<T> {
  let result: Answer;
  try {
    result = await call;
  } catch (error) {
    throw new ApiFailure(0, 'NETWORK', error instanceof Error ? error.message : String(error));
  }
  if (result.response.status === 401) session.signOut();
  if (result.error !== undefined || !result.response.ok) throw failureOf(result.error, result.response);
  return result.data as T;
}

/** What every command answers. */
export interface CommandAnswer { id: string; revision: number; position: number }
