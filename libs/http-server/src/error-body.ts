import { STATUS_CODES } from 'node:http';

/** The JSON body of every error response of the stack. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  [detail: string]: unknown;
}

export function errorBody(
  statusCode: number,
  message: string,
  details: Record<string, unknown> = {},
): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, ...details };
}
