/**
 * A secret (the Twitch OAuth token; the attached Syncthing's API key in a second file),
 * encrypted with safeStorage's async API into the app data folder. On Linux the
 * `basic_text` backend only obfuscates with a fixed key, so there the secret is kept in
 * memory for this session instead and never written.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { SafeStorage } from 'electron';
import { writePrivateFile, type SecretStore } from '../app/service/secrets.js';

export async function safeStorageSecrets(
  safeStorage: SafeStorage,
  dataDir: string,
  platform = process.platform,
  fileName = 'token.bin',
): Promise<SecretStore & { persistent: boolean }> {
  const file = path.join(dataDir, fileName);
  const persistent =
    (await safeStorage.isAsyncEncryptionAvailable()) &&
    !(platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text');
  let token: string | null = null;
  if (persistent) {
    try {
      const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(await fs.readFile(file));
      token = result;
      if (shouldReEncrypt) await writePrivateFile(file, await safeStorage.encryptStringAsync(result));
    } catch {
      // no saved token, or one this machine's keychain cannot open: ask again
    }
  }
  return {
    persistent,
    get: async () => token,
    has: () => token !== null,
    set: async (t) => {
      token = t;
      if (!persistent) return;
      if (t === null) await fs.rm(file, { force: true });
      else {
        await fs.mkdir(dataDir, { recursive: true });
        await writePrivateFile(file, await safeStorage.encryptStringAsync(t));
      }
    },
  };
}
