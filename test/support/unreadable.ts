/** Root reads chmod 000 files, so an unreadable file is simulated at the one call that reads it (fs.promises.readFile). */
import { promises as fs } from 'node:fs';
import { vi } from 'vitest';

export async function withUnreadable<T>(file: string | undefined, fn: () => Promise<T>): Promise<T> {
  const realReadFile = fs.readFile;
  vi.spyOn(fs, 'readFile').mockImplementation(((
    p: Parameters<typeof fs.readFile>[0],
    o?: Parameters<typeof fs.readFile>[1],
  ) => {
    if (p === file)
      return Promise.reject(Object.assign(new Error(`EACCES: permission denied, open '${p}'`), { code: 'EACCES' }));
    return realReadFile(p, o);
  }) as typeof fs.readFile);
  try {
    return await fn();
  } finally {
    vi.restoreAllMocks();
  }
}
