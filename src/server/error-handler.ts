import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { VigilError } from '../errors.ts';
import { redactUrl } from './request-log.ts';

/** Fastify's own request failures (body parsing, limits) as coded errors. */
function fromFastifyError(error: FastifyError): VigilError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new VigilError('PAYLOAD_TOO_LARGE', 'The request body is larger than this route accepts.', {
        hint: 'Send a smaller body (webhook deliveries: at most 256 KiB).',
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new VigilError('MEDIA_TYPE_UNSUPPORTED', 'The request body must be JSON.', {
        hint: 'Send it with Content-Type: application/json.',
      });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new VigilError('INPUT_INVALID', `The request body is not valid JSON: ${error.message}`, {
        hint: 'Send one JSON document with Content-Type: application/json.',
      });
    default:
      if (error instanceof SyntaxError && error.statusCode === 400) {
        return new VigilError('INPUT_INVALID', `The request body is not valid JSON: ${error.message}`, {
          hint: 'Send one JSON document with Content-Type: application/json.',
        });
      }
      return undefined;
  }
}

/** A validation failure naming each field: `body.alerts.0.severity: Invalid input`. */
function fromValidationError(error: FastifyError): VigilError | undefined {
  if (!hasZodFastifySchemaValidationErrors(error)) return undefined;
  const where = error.validationContext ?? 'request';
  const problems = error.validation.map((issue) => {
    const path = issue.instancePath.split('/').filter((part) => part !== '');
    return `${[where, ...path].join('.')}: ${issue.message}`;
  });
  return new VigilError('INPUT_INVALID', problems.join('; '), {
    hint: 'Correct the fields named; /openapi.json describes every route.',
  });
}

/**
 * Turns whatever a route threw into its coded JSON error. Coded errors keep their code and
 * status; an unknown throw becomes INTERNAL_ERROR that says nothing of the internals (the log
 * has them, under the request id).
 */
export function toHttpError(error: FastifyError, requestId: string): VigilError {
  if (error instanceof VigilError) return error;
  const known = fromValidationError(error) ?? fromFastifyError(error);
  if (known !== undefined) return known;
  return new VigilError('INTERNAL_ERROR', 'The server failed while answering this request.', {
    hint: `This is a bug in Vigil; the server log has the details under request id ${requestId}.`,
  });
}

/**
 * Sends a coded error, with its status and the headers some codes call for: `WWW-Authenticate:
 * Bearer` on a 401 of a token-protected route, `Retry-After` (seconds) when the error knows it.
 */
export function sendError(reply: FastifyReply, error: VigilError): FastifyReply {
  const bearerRoute = reply.request.routeOptions.config.access !== 'public';
  if (error.code === 'UNAUTHENTICATED' && bearerRoute)
    reply.header('www-authenticate', 'Bearer realm="vigil"');
  const retryAfterMs = error.details.retryAfterMs;
  if (typeof retryAfterMs === 'number') reply.header('retry-after', String(Math.ceil(retryAfterMs / 1000)));
  return reply.code(error.httpStatus).send({ error: error.toJSON() });
}

/** Installs the coded error handler and the 404 answer for unknown routes. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const coded = toHttpError(error, request.id);
    if (coded.code === 'INTERNAL_ERROR') {
      request.log.error({ err: error, url: redactUrl(request.url) }, 'request failed');
    }
    return sendError(reply, coded);
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) =>
    sendError(
      reply,
      new VigilError('NOT_FOUND', `No route ${request.method} ${redactUrl(request.url).split('?')[0]}.`, {
        hint: 'GET /openapi.json lists the routes.',
      }),
    ),
  );
}
