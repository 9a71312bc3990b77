/**
 * Tests of refusals name private addresses; should the code under test ever try one, this
 * guard stops the connection before a packet leaves the machine (the workplace forbids any
 * traffic but loopback). It wraps every socket's connect: an IP host, or what a lookup
 * resolves to, must be loopback.
 */
import net from 'node:net';

const isLoopback = (a: string) => /^127\./.test(a) || a === '::1' || a === '::ffff:127.0.0.1' || a === 'localhost';

type Connect = (...args: unknown[]) => net.Socket;

export function guardLoopbackOnly(): () => void {
  const real = net.Socket.prototype.connect as unknown as Connect;
  (net.Socket.prototype as unknown as { connect: Connect }).connect = function (this: net.Socket, ...args: unknown[]) {
    const first = (Array.isArray(args[0]) ? args[0][0] : args[0]) as net.TcpNetConnectOpts | undefined;
    if (first && typeof first === 'object') {
      if (first.host && net.isIP(first.host) && !isLoopback(first.host))
        throw new Error(`loopback guard: a test tried to connect to ${first.host}`);
      const inner = first.lookup;
      if (inner)
        first.lookup = (host, options, cb) =>
          inner(host, options, (err, address, family) => {
            const list = Array.isArray(address) ? address.map((a) => a.address) : [address];
            if (!err && list.some((a) => a && !isLoopback(a)))
              return cb(new Error(`loopback guard: a test tried to connect to ${list.join(', ')}`), '', 0);
            cb(err, address, family);
          });
    }
    return real.apply(this, args);
  };
  return () => void ((net.Socket.prototype as unknown as { connect: Connect }).connect = real);
}
