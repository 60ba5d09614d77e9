/**
 * One way to declare an API route: zod schemas validate the request (same schemas the
 * PWA uses) and the same declarations build the OpenAPI description served at
 * /api/openapi.json. Per-person responses are never cacheable.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { zodToHttpError } from './errors.js';

export interface RouteSpec<B extends z.ZodType, Q extends z.ZodType> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  summary: string;
  tag: string;
  body?: B;
  query?: Q;
  response?: z.ZodType;
  /** Who may call it, for the description ('public', 'session', or a role). */
  access: string;
  /** Per-route body limit in bytes (default: the server's). */
  bodyLimit?: number;
}

export interface RouteContext<B, Q> {
  body: B;
  query: Q;
  request: FastifyRequest;
  reply: FastifyReply;
}

const registry: Array<RouteSpec<z.ZodType, z.ZodType>> = [];

export function route<B extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined>(
  app: FastifyInstance,
  spec: RouteSpec<B, Q>,
  handler: (ctx: RouteContext<z.infer<B>, z.infer<Q>>) => Promise<unknown>,
): void {
  if (!registry.some((r) => r.method === spec.method && r.url === spec.url)) registry.push(spec);
  app.route({
    method: spec.method,
    url: spec.url,
    ...(spec.bodyLimit ? { bodyLimit: spec.bodyLimit } : {}),
    handler: async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      const body = spec.body
        ? spec.body.safeParse(request.body ?? {})
        : { success: true as const, data: undefined };
      if (!body.success) throw zodToHttpError(body.error, 'request body');
      const query = spec.query
        ? spec.query.safeParse(request.query ?? {})
        : { success: true as const, data: undefined };
      if (!query.success) throw zodToHttpError(query.error, 'query');
      return handler({ body: body.data as z.infer<B>, query: query.data as z.infer<Q>, request, reply });
    },
  });
}

const toSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' });

export function openApiDocument(version: string): object {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of registry) {
    const path = spec.url.replace(/:(\w+)/g, '{$1}');
    const op: Record<string, unknown> = {
      summary: spec.summary,
      tags: [spec.tag],
      description: `Access: ${spec.access}`,
      responses: {
        '200': {
          description: 'OK',
          ...(spec.response
            ? { content: { 'application/json': { schema: toSchema(spec.response, 'output') } } }
            : {}),
        },
        '4XX': {
          description: 'Invalid request, not logged in, not allowed or not found; body { error, message }',
        },
      },
    };
    if (spec.body)
      op['requestBody'] = {
        required: true,
        content: { 'application/json': { schema: toSchema(spec.body, 'input') } },
      };
    if (spec.query) {
      const q = toSchema(spec.query, 'input') as {
        properties?: Record<string, unknown>;
        required?: string[];
      };
      op['parameters'] = Object.entries(q.properties ?? {}).map(([name, schema]) => ({
        name,
        in: 'query',
        required: q.required?.includes(name) ?? false,
        schema,
      }));
    }
    (paths[path] ??= {})[spec.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Huddle sync server', version },
    paths,
  };
}
