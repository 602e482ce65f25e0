import pino from 'pino';
import { Writable } from 'node:stream';
import { pathOf, pinoHttpOptions, pinoOptions } from './logger-options';

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

describe('access line serializers', () => {
  const { serializers } = pinoHttpOptions({ service: 'svc', level: 'info' });

  it('log the method and the path, never headers nor the query string', () => {
    const line = serializers!.req({
      method: 'POST',
      url: '/projects/?api_key=secret',
      headers: { authorization: 'Bearer secret' },
    });
    expect(line).toEqual({ method: 'POST', url: '/projects/' });
    expect(pathOf('/verify')).toBe('/verify');
  });
});
