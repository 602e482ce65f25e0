import { HttpRuleError, TranscodingError } from './transcoding-error';

// The path template grammar of google/api/http.proto:
//   Template = "/" Segments [ Verb ] ;  Segments = Segment { "/" Segment } ;
//   Segment  = "*" | "**" | LITERAL | Variable ;  Variable = "{" FieldPath [ "=" Segments ] "}" ;
//   FieldPath = IDENT { "." IDENT } ;  Verb = ":" LITERAL ;
// `{var}` is `{var=*}`; `**` matches zero or more segments and must be the last segment.

type Segment = { kind: 'literal'; value: string } | { kind: '*' } | { kind: '**' };

interface Variable {
  fieldPath: string;
  /** Index of its first segment and one past its last. */
  start: number;
  end: number;
}

/** A compiled path template: `match` returns the variables by field path, or null. */
export interface PathTemplate {
  readonly source: string;
  /** Field paths bound by the template, in order, e.g. ['name'] or ['user.id']. */
  readonly variables: readonly string[];
  readonly verb: string | undefined;
  /**
   * The path's variables, percent-decoded as the spec says (a one-segment variable fully, a
   * multi-segment one except %2F), or null when the path does not match. A path with a malformed
   * percent-encoding in a variable throws a TranscodingError naming that variable.
   */
  match(path: string): Record<string, string> | null;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LITERAL = /^[^/{}*=:]+$/;

/** Parses a template; throws HttpRuleError naming the template (the caller adds the method). */
export function parsePathTemplate(template: string): PathTemplate {
  const fail = (why: string): never => {
    throw new HttpRuleError(`malformed path template "${template}": ${why}`);
  };
  if (!template.startsWith('/')) fail('it must start with "/"');
  let rest = template.slice(1);
  let verb: string | undefined;
  const colon = lastColonOutsideBraces(rest);
  if (colon >= 0) {
    verb = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!LITERAL.test(verb)) fail(`bad verb ":${verb}"`);
  }
  const segments: Segment[] = [];
  const variables: Variable[] = [];
  if (rest !== '' || verb !== undefined) {
    for (const part of splitOutsideBraces(rest, fail)) {
      if (part.startsWith('{')) {
        if (!part.endsWith('}')) fail(`unclosed variable "${part}"`);
        const inner = part.slice(1, -1);
        const eq = inner.indexOf('=');
        const fieldPath = eq < 0 ? inner : inner.slice(0, eq);
        if (!fieldPath.split('.').every((id) => IDENT.test(id))) {
          fail(`bad field path "${fieldPath}"`);
        }
        if (variables.some((v) => v.fieldPath === fieldPath)) {
          fail(`variable "${fieldPath}" appears twice`);
        }
        const start = segments.length;
        const sub = eq < 0 ? ['*'] : inner.slice(eq + 1).split('/');
        for (const s of sub) {
          if (s.includes('{') || s.includes('}')) fail('variables cannot nest');
          segments.push(plainSegment(s, fail));
        }
        variables.push({ fieldPath, start, end: segments.length });
      } else {
        segments.push(plainSegment(part, fail));
      }
    }
  }
  const deep = segments.findIndex((s) => s.kind === '**');
  if (deep >= 0 && deep !== segments.length - 1) fail('"**" must be the last segment');

  return {
    source: template,
    variables: variables.map((v) => v.fieldPath),
    verb,
    match: (path) => matchPath(path, segments, variables, verb),
  };
}

function plainSegment(s: string, fail: (why: string) => never): Segment {
  if (s === '*' || s === '**') return { kind: s };
  if (s === '') fail('empty segment');
  if (!LITERAL.test(s)) fail(`bad segment "${s}"`);
  return { kind: 'literal', value: s };
}

function lastColonOutsideBraces(s: string): number {
  let depth = 0;
  for (let i = s.length - 1; i >= 0; i--) {
    if (s[i] === '}') depth++;
    else if (s[i] === '{') depth--;
    else if (s[i] === ':' && depth === 0) return s.lastIndexOf('/') < i ? i : -1;
  }
  return -1;
}

function splitOutsideBraces(s: string, fail: (why: string) => never): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of s) {
    if (ch === '{') {
      if (depth > 0) fail('variables cannot nest');
      depth++;
    } else if (ch === '}') {
      if (depth === 0) fail('unbalanced "}"');
      depth--;
    }
    if (ch === '/' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (depth !== 0) fail('unclosed "{"');
  parts.push(current);
  return parts;
}

function matchPath(
  path: string,
  segments: readonly Segment[],
  variables: readonly Variable[],
  verb: string | undefined,
): Record<string, string> | null {
  let p = path.split('?', 1)[0];
  if (!p.startsWith('/')) return null;
  if (verb !== undefined) {
    if (!p.endsWith(`:${verb}`)) return null;
    p = p.slice(0, -verb.length - 1);
  }
  const parts = p === '/' && segments.length === 0 ? [] : p.slice(1).split('/');
  const deep = segments.length > 0 && segments[segments.length - 1].kind === '**';
  if (deep ? parts.length < segments.length - 1 : parts.length !== segments.length) return null;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (seg.kind === 'literal' && safeDecode(parts[i]) !== seg.value) return null;
    if (seg.kind === '*' && parts[i] === '') return null;
  }
  const out: Record<string, string> = {};
  for (const v of variables) {
    const end = deep && v.end === segments.length ? parts.length : v.end;
    const raw = parts.slice(v.start, end);
    try {
      // One segment: decode everything. Several: decode all but %2F, which stays as it was.
      out[v.fieldPath] =
        v.end - v.start === 1 && segments[v.start].kind !== '**'
          ? decodeURIComponent(raw[0])
          : raw
              .join('/')
              .split(/(%2[fF])/)
              .map((chunk, i) => (i % 2 === 1 ? chunk : decodeURIComponent(chunk)))
              .join('');
    } catch {
      throw new TranscodingError(v.fieldPath, 'malformed percent-encoding in the path');
    }
  }
  return out;
}

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}
