import { join } from 'node:path';
import { loadHttpRules } from './load-http-rules';
import type { HttpBinding } from './read-http-rules';
import { TranscodingError } from './transcoding-error';

/** The specs' .proto files (libs/transcoding/test-protos), loaded once per spec file. */
export const TEST_PROTOS = join(__dirname, '../test-protos');

export function loadTestProto(file: string): ReturnType<typeof loadHttpRules> {
  return loadHttpRules({ files: [file], includeDirs: [TEST_PROTOS] });
}

/** The binding of `grpcPath` whose template is `template`. */
export function bindingOf(
  bindings: HttpBinding[],
  grpcPath: string,
  template?: string,
): HttpBinding {
  const found = bindings.find(
    (b) => b.grpcPath === grpcPath && (template === undefined || b.template.source === template),
  );
  if (!found) throw new Error(`no binding ${grpcPath} ${template ?? ''}`);
  return found;
}

/** The `{field, message}` of the TranscodingError `fn` throws. */
export function errorOf(fn: () => unknown): { field: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof TranscodingError) return err.toJSON();
    throw err;
  }
  throw new Error('no TranscodingError thrown');
}
