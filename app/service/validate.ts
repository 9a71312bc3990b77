/**
 * The one boundary check (a method name and `unknown` arguments in, typed arguments or a
 * typed error out) and the `Result` values every service module answers with.
 */
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

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export const fail = (code: ApiError['code'], message: string, p?: string): { ok: false; error: ApiError } => ({
  ok: false,
  error: { code, message, ...(p !== undefined ? { path: p } : {}) },
});

export const invalid = (message: string, p?: string) => fail('invalid_argument', message, p);

/** An exception as one line for people (bounded: messages can quote whole inputs). */
export function errorMessage(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).slice(0, 500);
}

/** An exception as an API error: file-system errors are `io`, anything else is a bug of ours. */
export function thrownError(e: unknown): { ok: false; error: ApiError } {
  const errno = e as NodeJS.ErrnoException | null;
  const code = typeof errno?.code === 'string' && /^E[A-Z]+$/.test(errno.code) ? 'io' : 'internal';
  return fail(code, errorMessage(e), typeof errno?.path === 'string' ? errno.path : undefined);
}

/** True when `p` is `root` or inside it (after resolving `..`); symlinks are not followed here. */
export function isInside(root: string, p: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(p));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
