/**
 * The one builder of typed API clients. Every client (the preload's `window.archive`, the
 * HTTP client, the service's in-process facade) is this object over a transport that
 * carries a method name and its arguments to ArchiveService.call and brings its Result back.
 *
 * The cast below is the only place where a transport's `Result<unknown>` becomes the typed
 * `Result<ResultOf<M>>`. It holds because every transport ends in `call`, which validates
 * the arguments with `methods[M].args` and answers with the implementation of M, itself
 * type-checked against ApiMethods.
 */
import { methodNames, type ApiMethods, type MethodName, type Result } from './contract.js';

export type Transport = (method: MethodName, args: unknown) => Promise<Result<unknown>>;

export function apiMethods(transport: Transport): ApiMethods {
  const api: Record<string, (args: unknown) => Promise<Result<unknown>>> = {};
  for (const method of methodNames) api[method] = (args) => transport(method, args);
  return api as ApiMethods;
}
