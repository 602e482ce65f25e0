import type { HttpUpstreamModel } from '@app/routes';
import { forwardedRequestHeaders, forwardedResponseHeaders } from './forwarded-headers';

const upstream = {
  headers: { add: { 'x-env': 'test' }, remove: ['cookie'] },
} as unknown as HttpUpstreamModel;

describe('forwarded headers', () => {
  it('drops hop-by-hop headers, those Connection names, and applies the upstream remove / add', () => {
    const headers = forwardedRequestHeaders(
      {
        connection: 'keep-alive, x-hop',
        'x-hop': '1',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        host: 'gw.example.com',
        'content-length': '12',
        'content-type': 'application/json',
        cookie: 'a=b',
        'x-request-id': 'client-chosen',
        authorization: 'Bearer t',
      },
      upstream,
      { address: '10.0.0.7', protocol: 'https', host: 'gw.example.com' },
    );
    expect(headers).toEqual({
      'content-type': 'application/json',
      authorization: 'Bearer t',
      'x-forwarded-for': '10.0.0.7',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'gw.example.com',
      'x-env': 'test',
    });
  });

  it('appends the client to an X-Forwarded-For chain', () => {
    const headers = forwardedRequestHeaders({ 'x-forwarded-for': '1.2.3.4' }, upstream, {
      address: '10.0.0.7',
      protocol: 'http',
      host: undefined,
    });
    expect(headers['x-forwarded-for']).toBe('1.2.3.4, 10.0.0.7');
  });

  it("passes the upstream's answer headers on, without hop-by-hop ones and its request id", () => {
    expect(
      forwardedResponseHeaders({
        'content-type': 'text/plain',
        'set-cookie': ['a=1', 'b=2'],
        connection: 'close',
        'transfer-encoding': 'chunked',
        'x-request-id': 'upstream-own',
        'content-length': '5',
      }),
    ).toEqual({ 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'] });
  });
});
