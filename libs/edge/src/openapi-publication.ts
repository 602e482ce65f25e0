/**
 * The OpenAPI document the public listener serves at GET /openapi.json: serialised once per
 * version. The gateway's data plane publishes one per route table, made when it is first asked
 * for (publishLater): of 1000 routes it is 7000 operations, some 30 MB of JSON, which every table
 * of a burst of changes would otherwise build and serialise on the event loop.
 */
export class OpenApiPublication {
  private text: string | undefined;
  private pending: (() => object) | undefined;

  constructor(initial: object) {
    this.text = serialise(initial);
  }

  publish(document: object): void {
    this.pending = undefined;
    this.text = serialise(document);
  }

  /** The document `make` returns, made and serialised at the first read of `json` (once). */
  publishLater(make: () => object): void {
    this.pending = make;
    this.text = undefined;
  }

  get json(): string {
    if (this.text === undefined && this.pending !== undefined) {
      // A throw leaves it pending: the read fails, the next one tries again.
      this.text = serialise(this.pending());
      this.pending = undefined;
    }
    return this.text ?? '';
  }
}

function serialise(document: object): string {
  return JSON.stringify(document, null, 2);
}
