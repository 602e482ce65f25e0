import type { HeaderModifier } from '@app/routes';
import Fastify from 'fastify';
import { editHeaders, editReplyHeaders } from './header-edits';

const edits = (part: Partial<HeaderModifier>): HeaderModifier => ({
  set: [],
  add: [],
  remove: [],
  ...part,
});

describe('editHeaders (a request sent upstream)', () => {
  it('removes, then sets (replacing every value), then adds (appending)', () => {
    const headers: Record<string, string | string[]> = {
      'x-a': 'old',
      'x-b': 'one, two',
      'x-gone': 'yes',
      accept: 'text/html',
    };
    editHeaders(
      headers,
      edits({
        remove: ['x-gone', 'x-absent'],
        set: [{ name: 'accept', value: 'application/json' }],
        add: [
          { name: 'x-b', value: 'three' },
          { name: 'x-new', value: 'v' },
        ],
      }),
    );
    expect(headers).toEqual({
      'x-a': 'old',
      'x-b': 'one, two,three',
      'x-new': 'v',
      accept: 'application/json',
    });
  });

  it('appends to a header sent on several lines, and keeps set-cookie lines apart', () => {
    const headers: Record<string, string | string[]> = {
      'x-list': ['a', 'b'],
      'set-cookie': 'a=1',
    };
    editHeaders(
      headers,
      edits({
        add: [
          { name: 'set-cookie', value: 'b=2' },
          { name: 'x-list', value: 'c' },
        ],
      }),
    );
    expect(headers).toEqual({ 'x-list': 'a,b,c', 'set-cookie': ['a=1', 'b=2'] });
  });

  it('replaces a header of several lines by one value on set', () => {
    const headers: Record<string, string | string[]> = { 'x-list': ['a', 'b'] };
    editHeaders(headers, edits({ set: [{ name: 'x-list', value: 'only' }] }));
    expect(headers).toEqual({ 'x-list': 'only' });
  });
});

describe('editReplyHeaders (the answer the client gets)', () => {
  // The upstream's headers as a route handler passes them on, and the header the gateway set
  // before (as the rate limiter does), then the route's edits.
  async function answer(modifier: HeaderModifier) {
    const app = Fastify();
    app.get('/', (_request, reply) => {
      reply.header('x-ratelimit-remaining', '9');
      reply.status(200).headers({
        'content-type': 'application/json',
        server: 'upstream/1.0',
        vary: 'accept',
        'set-cookie': ['a=1', 'b=2'],
      });
      editReplyHeaders(reply, modifier);
      void reply.send('{}');
    });
    const response = await app.inject({ method: 'GET', url: '/' });
    await app.close();
    return response.headers;
  }

  it("edits the upstream's headers and the gateway's own", async () => {
    const headers = await answer(
      edits({
        remove: ['server', 'x-ratelimit-remaining'],
        set: [{ name: 'cache-control', value: 'no-store' }],
        add: [
          { name: 'vary', value: 'origin' },
          { name: 'x-new', value: 'v' },
        ],
      }),
    );
    expect(headers).toMatchObject({
      'cache-control': 'no-store',
      vary: 'accept,origin',
      'x-new': 'v',
      'set-cookie': ['a=1', 'b=2'],
    });
    expect(headers).not.toHaveProperty('server');
    expect(headers).not.toHaveProperty('x-ratelimit-remaining');
  });

  it('adds a set-cookie line, and set replaces every set-cookie line', async () => {
    expect(
      (await answer(edits({ add: [{ name: 'set-cookie', value: 'c=3' }] })))['set-cookie'],
    ).toEqual(['a=1', 'b=2', 'c=3']);
    expect(
      (await answer(edits({ set: [{ name: 'set-cookie', value: 'c=3' }] })))['set-cookie'],
    ).toBe('c=3');
  });

  it('sets content-type over the one the answer had', async () => {
    const headers = await answer(edits({ set: [{ name: 'content-type', value: 'text/plain' }] }));
    expect(headers['content-type']).toBe('text/plain');
  });
});
