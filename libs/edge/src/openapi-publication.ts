/**
 * The OpenAPI document the public listener serves at GET /openapi.json: serialised once per
 * version, when it is published (the gateway's data plane publishes one per route table).
 */
export class OpenApiPublication {
  private text: string;

  constructor(initial: object) {
    this.text = serialise(initial);
  }

  publish(document: object): void {
    this.text = serialise(document);
  }

  get json(): string {
    return this.text;
  }
}

function serialise(document: object): string {
  return JSON.stringify(document, null, 2);
}
