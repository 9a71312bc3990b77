/**
 * The one way the renderer reaches the archive: the Electron preload's `window.archive`
 * when present, else the same API over HTTP from the page's own origin (`serve`).
 */
import type { ApiError, ArchiveApi } from '../app/service/contract.js';
import { HttpArchiveClient } from '../app/service/http-client.js';

declare global {
  interface Window {
    archive?: ArchiveApi;
  }
}

/** Desktop: native folder picker, token storage in the OS keychain. */
export const isDesktop = window.archive !== undefined;

export const api: ArchiveApi = window.archive ?? new HttpArchiveClient();

const CODE_WORDS: Record<ApiError['code'], string> = {
  invalid_argument: 'That value was not accepted',
  not_found: 'Not found',
  forbidden: 'Not allowed',
  io: 'Reading or writing files failed',
  busy: 'Busy with another task',
  unavailable: 'The archive service is not reachable',
  internal: 'Something went wrong inside the archive service',
};

/** An error for people: what kind of failure, then the service's own words and the path. */
export function errorText(e: ApiError): string {
  const head = CODE_WORDS[e.code] ?? 'Error';
  const msg = e.message && e.message !== head ? `: ${e.message}` : '';
  return `${head}${msg}${e.path ? ` (${e.path})` : ''}`;
}
