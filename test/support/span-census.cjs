// A preload for the apps under test (`node --require`): counts every span the process starts and
// lists the OpenTelemetry packages it loaded, and prints both as one JSON line on stderr at exit:
//   {"span_census":{"spans_started":12,"otel_packages":["core","instrumentation-http",...]}}
// Every span, recording or not, starts on a ProxyTracer of @opentelemetry/api: instrumentations get
// their tracer before the SDK registers its provider, and ProxyTracer then delegates to the SDK's.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload (node --require) */
const { sep } = require('node:path');

const apiPath = require.resolve('@opentelemetry/api', { paths: [process.cwd()] });
const api = require(apiPath);
let spansStarted = 0;
for (const method of ['startSpan', 'startActiveSpan']) {
  const original = api.ProxyTracer.prototype[method];
  api.ProxyTracer.prototype[method] = function counted(...args) {
    spansStarted++;
    return original.apply(this, args);
  };
}

const scope = `${sep}@opentelemetry${sep}`;
const otelDir = apiPath.slice(0, apiPath.indexOf(scope) + scope.length);

process.on('exit', () => {
  const packages = new Set();
  for (const file of Object.keys(require.cache)) {
    if (file.startsWith(otelDir)) packages.add(file.slice(otelDir.length).split(sep)[0]);
  }
  // The census itself loaded the API; only what the app loaded on top of it counts.
  packages.delete('api');
  process.stderr.write(
    `${JSON.stringify({ span_census: { spans_started: spansStarted, otel_packages: [...packages].sort() } })}\n`,
  );
});
