/** Just enough of OpenAPI 3 to walk the document Nest's Swagger module serves at /docs-json. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
}
export interface Operation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
export interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

export interface Endpoint {
  path: string;
  /** A body the schema would accept, as a starting point for mutations. */
  sample: Record<string, unknown>;
}

export interface View {
  path: string;
  parameters: string[];
}

/** Every POST the API serves, with a sample body made from its schema (examples, first enum value). */
export function postEndpoints(doc: OpenApi): Endpoint[] {
  return Object.entries(doc.paths).flatMap(([path, operations]) => {
    const post = operations.post;
    if (!post) return [];
    const schema = post.requestBody?.content?.['application/json']?.schema;
    const sample = schema ? sampleOf(doc, schema) : {};
    return [{ path, sample: sample && typeof sample === 'object' && !Array.isArray(sample) ? (sample as Record<string, unknown>) : {} }];
  });
}

/** Every GET with query parameters (the views, a case as of a time) and the parameters it names. */
export function queryViews(doc: OpenApi): View[] {
  return Object.entries(doc.paths).flatMap(([path, operations]) => {
    const parameters = (operations.get?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    return parameters.length ? [{ path, parameters }] : [];
  });
}

function sampleOf(doc: OpenApi, schema: Schema, depth = 0): unknown {
  if (depth > 6) return null;
  if (schema.$ref) return sampleOf(doc, doc.components.schemas[schema.$ref.split('/').pop() ?? ''] ?? {}, depth + 1);
  if (schema.example !== undefined) return schema.example;
  if (schema.enum?.length) return schema.enum[0];
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, inner]) => [key, sampleOf(doc, inner, depth + 1)]));
    case 'array':
      return [sampleOf(doc, schema.items ?? { type: 'string' }, depth + 1)];
    case 'boolean':
      return true;
    case 'number':
    case 'integer':
      return 1;
    default:
      return schema.format === 'date-time' ? '2026-03-20T08:00:00.000Z' : '已处理';
  }
}
