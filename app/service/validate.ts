/** The one boundary check: a method name and `unknown` arguments in, typed arguments or a typed error out. */
import path from 'node:path';
import { methods, type ApiError, type ArgsOf, type MethodName, type Result } from './contract.js';

export const isMethodName = (name: string): name is MethodName => Object.hasOwn(methods, name);

export function parseArgs<M extends MethodName>(method: M, raw: unknown): Result<ArgsOf<M>> {
  const parsed = methods[method].args.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, value: parsed.data as ArgsOf<M> };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length ? `${issue.path.join('.')}: ` : '';
  // Messages are built by zod from the schema, not from the input, so they stay short.
  return invalid(`${method}: ${where}${issue?.message ?? 'invalid arguments'}`.slice(0, 300));
}

export const invalid = (message: string, p?: string): { ok: false; error: ApiError } => ({
  ok: false,
  error: { code: 'invalid_argument', message, ...(p !== undefined ? { path: p } : {}) },
});

/** True when `p` is `root` or inside it (after resolving `..`); symlinks are not followed here. */
export function isInside(root: string, p: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(p));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
