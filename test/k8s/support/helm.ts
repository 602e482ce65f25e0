// Drives the real helm binary: template (parsed into objects) and lint.
import { parseAllDocuments } from 'yaml';
import { CHART, run, tool } from './tools.ts';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
}

export interface RenderOptions {
  /** Chart directory; default the repository's chart. */
  chart?: string;
  release?: string;
  namespace?: string;
  kubeVersion?: string;
  valuesFiles?: string[];
  set?: string[];
  setJson?: string[];
}

function valueArgs(options: RenderOptions): string[] {
  return [
    ...(options.valuesFiles ?? []).flatMap((file) => ['-f', file]),
    ...(options.set ?? []).flatMap((value) => ['--set', value]),
    ...(options.setJson ?? []).flatMap((value) => ['--set-json', value]),
  ];
}

/** `helm template`; returns stdout and stderr without throwing, for tests of rejected values. */
export function helmTemplateRaw(options: RenderOptions = {}, extraArgs: string[] = []) {
  return run(tool('helm'), [
    'template',
    options.release ?? 'rel',
    options.chart ?? CHART,
    '--namespace',
    options.namespace ?? 'shop',
    ...(options.kubeVersion ? ['--kube-version', options.kubeVersion] : []),
    ...valueArgs(options),
    ...extraArgs,
  ]);
}

/** `helm template` parsed into objects; throws with helm's message when rendering fails. */
export function helmTemplate(options: RenderOptions = {}, extraArgs: string[] = []): K8sObject[] {
  const result = helmTemplateRaw(options, extraArgs);
  if (result.status !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((doc) => {
      if (doc.errors.length > 0)
        throw new Error(`rendered YAML does not parse: ${doc.errors[0].message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null);
}

export function helmLint(options: RenderOptions = {}) {
  return run(tool('helm'), ['lint', '--strict', CHART, ...valueArgs(options)]);
}

/** The NOTES.txt `helm install --dry-run` prints for these `--set` values. */
export function helmNotes(set: string[] = []): string {
  return (
    run(tool('helm'), [
      'install',
      'rel',
      CHART,
      '--dry-run=client',
      '-n',
      'shop',
      ...set.flatMap((s) => ['--set', s]),
    ]).stdout.split('NOTES:')[1] ?? ''
  );
}
