/**
 * A request that cannot become the gRPC message: the gateway answers 400 with `toJSON()`.
 * `field` is the dotted path of the offending field as the client wrote it ('' for the whole body).
 */
export class TranscodingError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(field === '' ? detail : `${field}: ${detail}`);
    this.name = 'TranscodingError';
  }

  toJSON(): { field: string; message: string } {
    return { field: this.field, message: this.detail };
  }
}

/** A .proto annotation the gateway cannot serve: a one-line configuration error. */
export class HttpRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HttpRuleError';
  }
}
