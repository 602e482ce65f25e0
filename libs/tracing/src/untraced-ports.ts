const ports = new Set<number>();

/** Requests arriving on this local port (an admin listener: probes, scrapes) create no spans. */
export function excludePortFromTracing(port: number): void {
  ports.add(port);
}

export function isUntracedPort(port: number | undefined): boolean {
  return port !== undefined && ports.has(port);
}
