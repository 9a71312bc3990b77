/**
 * The service's side of importing other tools' chat: the foreign import in the shape of the
 * segments import (so the service runs, reports and cancels both the same way), and detection.
 */
import path from 'node:path';
import { importForeign, type ForeignOptions } from '../foreign/import-foreign.js';
import type { Format } from '../foreign/source.js';
import type { ImportOptions, ImportSummary } from '../archive/import.js';

import { detectFormat } from '../foreign/detect.js';
import type { FormatDetection, Result } from './contract.js';
import { invalid, ok } from './validate.js';

export { resolveFormat } from '../foreign/detect.js';

/** `detectFormat` of the API: an absolute path on the service's machine. */
export async function detectSource(p: string): Promise<Result<FormatDetection>> {
  if (!path.isAbsolute(p)) return invalid('the path must be absolute, on the machine running the archive', p);
  return ok(await detectFormat(p));
}

export type ForeignImportSummary = ImportSummary & { bytesTotal: number; bytesRead: number; linesImported: number };

/** `importForeign` for one format and its options, called as the segments import is. */
export function foreignImport(
  format: Format,
  o: Pick<ForeignOptions, 'channel' | 'node' | 'timezone'>,
): (dest: string, sources: string[], opts?: ImportOptions) => Promise<ForeignImportSummary> {
  return async (dest, sources, opts = {}) => {
    const s = await importForeign(dest, format, sources, {
      ...o,
      signal: opts.signal,
      importId: opts.importId,
      onProgress: opts.onProgress && ((p) => opts.onProgress!({ ...p, nonCanonical: [] }, p.phase)),
    });
    return { ...s, nonCanonical: [] };
  };
}
