import { status } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { VerifyService } from './verify.service';

describe('VerifyService', () => {
  const service = new VerifyService();

  it('answers like the original demo', () => {
    expect(service.verify({ id: 121, token: 'a$$' })).toEqual({ message: 'Verified: 121' });
  });

  it.each([
    [{ id: 0, token: 'a' }, 'id'],
    [{ id: -5, token: 'a' }, 'id'],
    [{ id: 7, token: '' }, 'token'],
  ])('rejects %p with INVALID_ARGUMENT naming %s', (request, field) => {
    try {
      service.verify(request);
      throw new Error('expected an RpcException');
    } catch (err) {
      expect(err).toBeInstanceOf(RpcException);
      const error = (err as RpcException).getError() as { code: number; message: string };
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.message).toMatch(new RegExp(`^${field} `));
    }
  });
});
