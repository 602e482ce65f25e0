// The gateway's route file as a render mounts it: ROUTES_FILE names a file in a directory the
// gateway's container mounts from a ConfigMap volume, and the file is that ConfigMap's key. Read
// the way the pod would see it, so a test of the content also proves the wiring.
import { posix } from 'node:path';
import { parse } from 'yaml';
import type { K8sObject } from './helm.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- rendered objects are free-form JSON */

// Own lookups rather than invariants.ts's: the invariants read the route file through this module.
const ofKind = (objects: K8sObject[], kind: string) =>
  objects.filter((object) => object.kind === kind) as Array<K8sObject & Record<string, any>>;

function gatewayPod(objects: K8sObject[]): any {
  const gateway = ofKind(objects, 'Deployment').find(
    (d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'gateway',
  );
  if (!gateway) throw new Error('no gateway Deployment');
  return gateway.spec.template.spec;
}

/** ROUTES_FILE as the gateway's container gets it: from its env ConfigMap, or its env list. */
function routesFilePath(objects: K8sObject[]): string {
  const container = gatewayPod(objects).containers[0];
  const direct = (container.env ?? []).find((e: any) => e.name === 'ROUTES_FILE');
  if (direct) return direct.value;
  for (const source of container.envFrom ?? []) {
    const data = ofKind(objects, 'ConfigMap').find(
      (cm) => cm.metadata.name === source.configMapRef?.name,
    )?.data;
    if (data?.ROUTES_FILE) return data.ROUTES_FILE;
  }
  throw new Error('the gateway has no ROUTES_FILE');
}

/** The rendered route file, loosely typed: the gateway's parser (route-table.ts) is the judge. */
export interface RenderedRouteFile {
  formatVersion: number;
  upstreams: Record<string, Record<string, any>>;
  routes: Array<Record<string, any>>;
}

/** The ConfigMap volumes of the gateway's container: mount path -> that ConfigMap's data. */
export function gatewayConfigMapMounts(objects: K8sObject[]): Map<string, Record<string, string>> {
  const spec = gatewayPod(objects);
  const mounts = new Map<string, Record<string, string>>();
  for (const mount of spec.containers[0].volumeMounts ?? []) {
    const volume = spec.volumes.find((v: any) => v.name === mount.name);
    if (!volume?.configMap) continue;
    if (mount.subPath) throw new Error(`volume ${mount.name} is mounted with subPath`);
    const configMap = ofKind(objects, 'ConfigMap').find(
      (cm) => cm.metadata.name === volume.configMap.name,
    );
    if (!configMap) {
      // An optional ConfigMap not rendered: the pod sees an empty directory.
      if (volume.configMap.optional) {
        mounts.set(mount.mountPath, {});
        continue;
      }
      throw new Error(`no ConfigMap ${volume.configMap.name} for ${mount.name}`);
    }
    mounts.set(mount.mountPath, configMap.data ?? {});
  }
  return mounts;
}

/** The content of a file the gateway's container would read at `path` from a ConfigMap volume. */
export function mountedFile(objects: K8sObject[], path: string): string {
  const data = gatewayConfigMapMounts(objects).get(posix.dirname(path));
  const content = data?.[posix.basename(path)];
  if (content === undefined) throw new Error(`${path} is in no ConfigMap volume of the gateway`);
  return content;
}

/** The text of the file ROUTES_FILE names. */
export function routeFileText(objects: K8sObject[]): string {
  return mountedFile(objects, routesFilePath(objects));
}

export function renderedRouteFile(objects: K8sObject[]): RenderedRouteFile {
  return parse(routeFileText(objects)) as RenderedRouteFile;
}
