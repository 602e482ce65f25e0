import type { LabelSelector } from './gateway-api-objects';

/**
 * Whether labels satisfy a metav1.LabelSelector: every matchLabels pair and every expression.
 * An empty selector selects everything, as in Kubernetes.
 */
export function selectorMatches(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const own = labels ?? {};
  const has = (key: string) => Object.prototype.hasOwnProperty.call(own, key);
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!has(key) || own[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const ok =
      operator === 'In'
        ? has(key) && values.includes(own[key])
        : operator === 'NotIn'
          ? !has(key) || !values.includes(own[key])
          : operator === 'Exists'
            ? has(key)
            : operator === 'DoesNotExist'
              ? !has(key)
              : false;
    if (!ok) return false;
  }
  return true;
}
