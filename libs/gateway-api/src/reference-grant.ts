import type { ReferenceGrant } from './gateway-api-objects';

export interface GroupKindNamespace {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
}

/**
 * Whether a ReferenceGrant in the target's namespace lets objects of `from` refer to `to`: one
 * grant must list both the referrer's group, kind and namespace in `from` and the target's group
 * and kind (and its name, or no name) in `to`. A reference within one namespace needs none.
 */
export function referenceAllowed(
  grants: readonly ReferenceGrant[],
  from: GroupKindNamespace,
  to: GroupKindNamespace & { readonly name: string },
): boolean {
  if (from.namespace === to.namespace) return true;
  return grants.some(
    (grant) =>
      grant.metadata.namespace === to.namespace &&
      grant.spec.from.some(
        (f) => f.group === from.group && f.kind === from.kind && f.namespace === from.namespace,
      ) &&
      grant.spec.to.some(
        (t) =>
          t.group === to.group &&
          t.kind === to.kind &&
          (t.name === undefined || t.name === '' || t.name === to.name),
      ),
  );
}
