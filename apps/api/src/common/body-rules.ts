import { FastifyReply, FastifyRequest } from 'fastify';
import { ApiErrorBody, FieldProblem } from './api-error';

/** Deeper than any request the API defines (intake is 3 levels); recursion below stays shallow. */
export const MAX_BODY_DEPTH = 16;
export const MAX_BODY_BYTES = 64 * 1024;

/** Keys that reach Object.prototype in code that merges objects; no field of the API is named so. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const refuse = (reply: FastifyReply, status: number, body: ApiErrorBody) => reply.status(status).send(body);

const carriesBody = (request: FastifyRequest) =>
  request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;

/**
 * JSON is the only body the API reads: a form or text body is refused (415) before anything parses
 * it, so no other parser's limits apply. A Fastify `onRequest` hook: it runs before the body is read.
 */
export async function onlyJsonBodies(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (!carriesBody(request)) return;
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') return;
  await refuse(reply, 415, {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: `request bodies must be application/json${type ? `, not ${type}` : ' (Content-Type is missing)'}`,
  });
}

/**
 * After JSON parsing, before anything walks the body recursively (validation, the idempotency
 * fingerprint): too deep a nesting or a prototype key is refused with the path that broke the rule.
 * Iterative, so a body nested thousands of levels deep cannot overflow the stack here.
 * A Fastify `preValidation` hook: the body is parsed, no guard or handler has run.
 */
export async function boundedJsonBodies(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const problem = findProblem(request.body);
  if (!problem) return;
  await refuse(reply, 400, { code: problem.code, message: `${problem.field.field}: ${problem.field.problem}`, fields: [problem.field] });
}

function findProblem(body: unknown): { code: string; field: FieldProblem } | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: body, path: '', depth: 0 }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { value, path, depth } = next;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) {
      return { code: 'BODY_TOO_DEEP', field: { field: path || 'body', problem: `nested deeper than ${MAX_BODY_DEPTH} levels` } };
    }
    for (const key of Object.keys(value)) {
      const field = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (!Array.isArray(value) && PROTOTYPE_KEYS.has(key)) {
        return { code: 'VALIDATION_FAILED', field: { field, problem: `${key} is not a field of any request (prototype keys are refused)` } };
      }
      stack.push({ value: (value as Record<string, unknown>)[key], path: field, depth: depth + 1 });
    }
  }
  return undefined;
}
