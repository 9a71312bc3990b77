/** Picking listen addresses for a Syncthing we run. */
import net from 'node:net';

/** Syncthing's usual port: peers that know nothing else try it. */
export const SYNCTHING_PORT = 22000;

function bindable(host: string, port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(null));
    s.listen({ host, port, exclusive: true }, () => {
      const got = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(got));
    });
  });
}

/** `tcp://0.0.0.0:22000` when that port is free, else the same host on a free port (kept in the config from then on). */
export async function defaultListen(): Promise<string> {
  const port = (await bindable('0.0.0.0', SYNCTHING_PORT)) ?? (await bindable('0.0.0.0', 0));
  return `tcp://0.0.0.0:${port ?? 0}`;
}
