/** HTTP errors with a clear message; the error handler turns anything else into a 4xx or a generic 500. */
import type { FastifyError, FastifyInstance } from 'fastify';
import { ZodError } from 'zod';
import { NotAllowedError } from '../../../shared/src/authorization.js';
import type { ErrorResponse } from '../../../shared/src/api.js';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly issues?: ErrorResponse['issues'],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const unauthenticated = () => new HttpError(401, 'unauthenticated', 'Please log in.');
export const notFound = () => new HttpError(404, 'not-found', 'Not found.');

export function zodToHttpError(err: ZodError, what = 'request'): HttpError {
  const issues = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = issues[0];
  const summary = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid';
  return new HttpError(400, 'invalid', `Invalid ${what}: ${summary}`, issues);
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    let http: HttpError;
    if (err instanceof HttpError) http = err;
    else if (err instanceof ZodError) http = zodToHttpError(err);
    else if (err instanceof NotAllowedError) http = new HttpError(403, 'forbidden', err.message);
    else {
      const status = (err as FastifyError).statusCode;
      if (status && status >= 400 && status < 500) {
        // Fastify's own: malformed JSON, body too large, unsupported media type, rate limit...
        http = new HttpError(status, (err as FastifyError).code ?? 'bad-request', err.message);
      } else {
        request.log.error(
          { err: { name: err.name, message: err.message, stack: err.stack } },
          'unhandled error',
        );
        http = new HttpError(500, 'internal', 'Something went wrong on the server. Please try again.');
      }
    }
    const body: ErrorResponse = {
      error: http.code,
      message: http.message,
      ...(http.issues ? { issues: http.issues } : {}),
    };
    void reply.status(http.statusCode).header('cache-control', 'no-store').send(body);
  });
}
