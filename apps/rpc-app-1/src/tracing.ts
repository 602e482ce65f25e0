// The first import of main.ts: tracing must start before Nest, http, grpc and pino are loaded, so
// that its instrumentations hook them. A no-op unless an OTEL_* exporter is configured.
import { startTracing } from '@app/tracing';

startTracing('rpc-app-1');
