import dgram from 'node:dgram';

/** A UDP port on 127.0.0.1 that was free a moment ago, for an agent to bind in a test. */
export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
