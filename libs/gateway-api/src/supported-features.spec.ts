import { supportedFeatures } from './supported-features';

describe('supportedFeatures', () => {
  it('names the core features and those served always, sorted as the field must be', () => {
    const plain = supportedFeatures();
    expect(plain).toEqual([...plain].sort());
    expect(plain).toEqual(expect.arrayContaining(['Gateway', 'HTTPRoute', 'ReferenceGrant']));
    expect(plain).not.toContain('GRPCRoute');
    expect(plain).not.toContain('GatewayPort8080');
  });

  it('adds GRPCRoute with gRPC, and the per-port features with per-Gateway addresses', () => {
    expect(supportedFeatures({ grpc: true })).toEqual(
      expect.arrayContaining(['GRPCRoute', 'GRPCRouteNamedRouteRule']),
    );
    const both = supportedFeatures({ grpc: true, gatewayAddresses: true });
    expect(both).toEqual(expect.arrayContaining(['GatewayPort8080', 'HTTPRouteParentRefPort']));
    expect(both).toEqual([...both].sort());
    expect(new Set(both).size).toBe(both.length);
  });
});
