/** The closed set of error codes citybrain raises; NGSI-LD ones keep their ETSI names. */
export type CityErrorCode =
  | 'InvalidRequest'
  | 'BadRequestData'
  | 'AlreadyExists'
  | 'OperationNotSupported'
  | 'ResourceNotFound'
  | 'InternalError'
  | 'TooComplexQuery'
  | 'TooManyResults'
  | 'LdContextNotAvailable'
  | 'NonexistentTenant'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'Unauthorized'
  | 'Forbidden'
  | 'Conflict'
  | 'PreconditionFailed'
  | 'TooManyRequests'
  | 'ServiceUnavailable';

/** The one error type of citybrain: a stable code, an actionable message, an optional cause. */
export class CityError extends Error {
  override readonly name = 'CityError';
  constructor(
    readonly code: CityErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.details = options.details;
  }
  readonly details: Record<string, unknown> | undefined;
}

/** An RFC 9457 ProblemDetails body. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extra: string]: unknown;
}

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';
const CITYBRAIN = 'https://citybrain.dev/errors/';

/** Maps an error code to its HTTP status and problem type URI: the single place that does so. */
export function problemType(code: CityErrorCode): { status: number; type: string } {
  switch (code) {
    case 'InvalidRequest':
      return { status: 400, type: ETSI + code };
    case 'BadRequestData':
      return { status: 400, type: ETSI + code };
    case 'TooComplexQuery':
      return { status: 403, type: ETSI + code };
    case 'TooManyResults':
      return { status: 403, type: ETSI + code };
    case 'AlreadyExists':
      return { status: 409, type: ETSI + code };
    case 'ResourceNotFound':
      return { status: 404, type: ETSI + code };
    case 'NonexistentTenant':
      return { status: 404, type: ETSI + code };
    case 'OperationNotSupported':
      return { status: 501, type: ETSI + code };
    case 'LdContextNotAvailable':
      return { status: 503, type: ETSI + code };
    case 'InternalError':
      return { status: 500, type: ETSI + code };
    case 'NotAcceptable':
      return { status: 406, type: CITYBRAIN + code };
    case 'UnsupportedMediaType':
      return { status: 415, type: CITYBRAIN + code };
    case 'Unauthorized':
      return { status: 401, type: CITYBRAIN + code };
    case 'Forbidden':
      return { status: 403, type: CITYBRAIN + code };
    case 'Conflict':
      return { status: 409, type: CITYBRAIN + code };
    case 'PreconditionFailed':
      return { status: 412, type: CITYBRAIN + code };
    case 'TooManyRequests':
      return { status: 429, type: CITYBRAIN + code };
    case 'ServiceUnavailable':
      return { status: 503, type: CITYBRAIN + code };
  }
}

/** Turns any thrown value into a CityError, keeping the original as `cause`. */
export function toCityError(err: unknown): CityError {
  if (err instanceof CityError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CityError('InternalError', message, { cause: err });
}

/** Renders a CityError as ProblemDetails. */
export function toProblem(err: CityError): ProblemDetails {
  const { status, type } = problemType(err.code);
  // Details add members; they never override the four that identify the problem.
  return { ...(err.details ?? {}), type, title: err.code, status, detail: err.message };
}
