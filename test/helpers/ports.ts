import { once } from 'node:events';
import net from 'node:net';

/** A port on 127.0.0.1 that nothing listens on: taken from the system, then let go. */
export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
