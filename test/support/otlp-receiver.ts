import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A span as received, with the `service.name` of the process that sent it. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, unknown>;
}

export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;

interface OtlpKeyValue {
  key: string;
  value: Record<string, unknown>;
}

interface OtlpTraces {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: OtlpKeyValue[];
      }>;
    }>;
  }>;
}

/**
 * What a collector is to the apps: an OTLP/HTTP receiver (JSON encoding, `OTEL_EXPORTER_OTLP_PROTOCOL
 * =http/json`) on a loopback address. It keeps every span and counts every request it gets, whatever
 * its path or encoding, so that "no exporter traffic" can be asserted too.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Every HTTP request received, parsed or not. */
  requests = 0;

  private readonly server: Server;

  private constructor(server: Server) {
    this.server = server;
  }

  static async start(host: string): Promise<OtlpReceiver> {
    const server = createServer();
    const receiver = new OtlpReceiver(server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => receiver.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, resolve);
    });
    return receiver;
  }

  /** The base URL for OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/traces). */
  get endpoint(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `http://${address}:${port}`;
  }

  /** The env that points an app at this receiver, exporting batches every 100 ms. */
  env(): Record<string, string> {
    return {
      OTEL_EXPORTER_OTLP_ENDPOINT: this.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
  }

  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests++;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces' && /json/.test(req.headers['content-type'] ?? '')) {
        this.record(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraces);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  }

  private record(body: OtlpTraces): void {
    for (const resourceSpans of body.resourceSpans ?? []) {
      const service = String(attributes(resourceSpans.resource?.attributes)['service.name']);
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({
            service,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? '',
            name: span.name,
            kind: span.kind,
            attributes: attributes(span.attributes),
          });
        }
      }
    }
  }
}

function attributes(list: OtlpKeyValue[] = []): Record<string, unknown> {
  return Object.fromEntries(list.map(({ key, value }) => [key, Object.values(value)[0]]));
}

/** The spans from `span` up to its trace's root, `span` first. */
export function ancestry(span: ReceivedSpan, trace: ReceivedSpan[]): ReceivedSpan[] {
  const chain = [span];
  for (let parent = parentOf(span, trace); parent; parent = parentOf(parent, trace))
    chain.push(parent);
  return chain;
}

function parentOf(span: ReceivedSpan, trace: ReceivedSpan[]): ReceivedSpan | undefined {
  return span.parentSpanId === ''
    ? undefined
    : trace.find((candidate) => candidate.spanId === span.parentSpanId);
}

const KIND_NAMES: Record<number, string> = { 1: 'internal', 2: 'server', 3: 'client' };

/** One trace as an indented tree, e.g. `gateway server POST /projects` with its children below. */
export function formatTrace(trace: ReceivedSpan[]): string {
  const lines: string[] = [];
  const visit = (span: ReceivedSpan, depth: number) => {
    lines.push(
      `${'  '.repeat(depth)}${span.service} ${KIND_NAMES[span.kind] ?? span.kind} "${span.name}" span ${span.spanId}`,
    );
    for (const child of trace.filter((c) => c.parentSpanId === span.spanId))
      visit(child, depth + 1);
  };
  const ids = new Set(trace.map((span) => span.spanId));
  for (const root of trace.filter((span) => !ids.has(span.parentSpanId))) visit(root, 0);
  return lines.join('\n');
}
