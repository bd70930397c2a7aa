// Free loopback ports, picked by the kernel. DNS listens on UDP and TCP, so a port must be free
// for both; a race with another process is possible but shows as a clear "address in use".
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

function tcpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function udpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}

export async function freePort(host: string): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await tcpPort(host);
    if (await udpFree(host, port)) return port;
  }
  throw new Error(`no free port on ${host}`);
}
