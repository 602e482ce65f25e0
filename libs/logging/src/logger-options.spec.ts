import pino from 'pino';
import { Writable } from 'node:stream';
import { pathOf, pinoOptions } from './logger-options';

describe('pinoOptions', () => {
  function logOnce(obj: object): Record<string, unknown> {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    pino(pinoOptions({ service: 'svc', level: 'info' }), sink).info(obj, 'line');
    return JSON.parse(lines[0]) as Record<string, unknown>;
  }

  it('redacts credentials in request and response headers', () => {
    const line = logOnce({
      req: {
        headers: {
          authorization: 'Bearer secret',
          cookie: 'sid=secret',
          'x-api-key': 'secret',
          'proxy-authorization': 'Basic secret',
          accept: 'application/json',
        },
      },
      res: { headers: { 'set-cookie': 'sid=secret' } },
    });
    expect(JSON.stringify(line)).not.toContain('secret');
    expect(line).toMatchObject({
      service: 'svc',
      req: {
        headers: {
          authorization: '[redacted]',
          cookie: '[redacted]',
          'x-api-key': '[redacted]',
          'proxy-authorization': '[redacted]',
          accept: 'application/json',
        },
      },
      res: { headers: { 'set-cookie': '[redacted]' } },
    });
  });
});

describe('pathOf', () => {
  it('drops the query string, which can carry credentials', () => {
    expect(pathOf('/projects/?api_key=secret')).toBe('/projects/');
    expect(pathOf('/verify')).toBe('/verify');
  });
});
