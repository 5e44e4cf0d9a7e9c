import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CityError, toCityError, toProblem } from '../../core/index.js';

/** Maps Fastify's own errors (validation, body parsing, size) onto citybrain codes. */
function fromFastify(err: FastifyError): CityError | undefined {
  if (err.validation)
    return new CityError('BadRequestData', validationMessage(err), { cause: err });
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new CityError('UnsupportedMediaType', err.message, { cause: err });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new CityError('InvalidRequest', err.message, { cause: err });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new CityError('InvalidRequest', err.message, { cause: err });
    default:
      break;
  }
  if (err instanceof SyntaxError)
    return new CityError('InvalidRequest', `invalid JSON: ${err.message}`);
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500)
    return new CityError('InvalidRequest', err.message, { cause: err });
  return undefined;
}

/** Fastify's validation message, naming the property a schema does not know (Ajv leaves it out). */
function validationMessage(err: FastifyError): string {
  const unknown = (err.validation ?? [])
    .map((v) => (v.keyword === 'additionalProperties' ? v.params.additionalProperty : undefined))
    .filter((name): name is string => typeof name === 'string');
  return unknown.length > 0 ? `${err.message}: ${unknown.join(', ')}` : err.message;
}

/** Sends a CityError as ProblemDetails; NGSI-LD clients get `application/json` as the spec says. */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  error: CityError,
): FastifyReply {
  const problem = toProblem(error);
  const ngsi = request.url.startsWith('/ngsi-ld/');
  return reply
    .code(problem.status)
    .type(ngsi ? 'application/json' : 'application/problem+json')
    .send(problem);
}

/** Makes every error and unknown route of `app` answer ProblemDetails; 5xx are logged with cause. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const error = err instanceof CityError ? err : (fromFastify(err) ?? toCityError(err));
    if (error.code === 'InternalError') request.log.error({ err }, 'request failed');
    else request.log.debug({ code: error.code, detail: error.message }, 'request refused');
    return sendProblem(request, reply, error);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      new CityError(
        'ResourceNotFound',
        `no route for ${request.method} ${request.url.split('?')[0]}`,
      ),
    ),
  );
}
