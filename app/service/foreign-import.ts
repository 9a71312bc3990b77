/**
 * The service's side of importing other tools' chat: the foreign import in the shape of the
 * segments import (so the service runs, reports and cancels both the same way), and detection.
 */
import { importForeign, type ForeignOptions } from '../foreign/import-foreign.js';
import type { Format } from '../foreign/source.js';
import type { ImportOptions, ImportSummary } from '../archive/import.js';

export { detectFormat, resolveFormat } from '../foreign/detect.js';

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
      onProgress: opts.onProgress && ((p) => opts.onProgress!({ ...p, nonCanonical: [] })),
    });
    return { ...s, nonCanonical: [] };
  };
}
