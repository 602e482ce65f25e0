import { KubeConfig } from '@kubernetes/client-node';

/** A kubeconfig file when given; else KUBECONFIG, else the pod's service account (in-cluster). */
export function loadKubeConfig(file?: string): KubeConfig {
  const config = new KubeConfig();
  if (file) config.loadFromFile(file);
  else config.loadFromDefault();
  return config;
}
