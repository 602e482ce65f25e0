import { selectorMatches } from './label-selector';

describe('selectorMatches', () => {
  const labels = { team: 'shop', env: 'prod' };

  it('selects everything with an empty selector', () => {
    expect(selectorMatches({}, undefined)).toBe(true);
    expect(selectorMatches({}, labels)).toBe(true);
  });

  it('needs every matchLabels pair', () => {
    expect(selectorMatches({ matchLabels: { team: 'shop', env: 'prod' } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { team: 'shop', env: 'dev' } }, labels)).toBe(false);
    expect(selectorMatches({ matchLabels: { team: 'shop' } }, undefined)).toBe(false);
  });

  it('reads In, NotIn, Exists and DoesNotExist as Kubernetes does', () => {
    const is = (
      operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist',
      key: string,
      values?: string[],
    ) => selectorMatches({ matchExpressions: [{ key, operator, values }] }, labels);
    expect(is('In', 'env', ['dev', 'prod'])).toBe(true);
    expect(is('In', 'env', ['dev'])).toBe(false);
    expect(is('In', 'tier', ['web'])).toBe(false);
    expect(is('NotIn', 'env', ['dev'])).toBe(true);
    expect(is('NotIn', 'env', ['prod'])).toBe(false);
    expect(is('NotIn', 'tier', ['web'])).toBe(true);
    expect(is('Exists', 'team')).toBe(true);
    expect(is('Exists', 'tier')).toBe(false);
    expect(is('DoesNotExist', 'tier')).toBe(true);
    expect(is('DoesNotExist', 'team')).toBe(false);
  });

  it('needs every expression and the labels together', () => {
    expect(
      selectorMatches(
        {
          matchLabels: { team: 'shop' },
          matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }],
        },
        labels,
      ),
    ).toBe(false);
  });
});
