import { randomUUID } from 'node:crypto';
import net from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { generate, parser } from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedBroker, startEmbeddedBroker } from './embeddedBroker.ts';
import { protocolLevel, routeByProtocol } from './mqtt5Bridge.ts';

const connectPacket = (protocolVersion: 3 | 4 | 5) =>
  generate(
    {
      cmd: 'connect',
      protocolId: protocolVersion === 3 ? 'MQIsdp' : 'MQTT',
      protocolVersion,
      clientId: 'c1',
      clean: true,
      keepalive: 30,
    },
    { protocolVersion },
  );

describe('protocolLevel', () => {
  it("reads a CONNECT's protocol level, and waits while it has not all arrived", () => {
    expect(protocolLevel(connectPacket(3))).toBe(3);
    expect(protocolLevel(connectPacket(4))).toBe(4);
    const v5 = connectPacket(5);
    expect(protocolLevel(v5)).toBe(5);
    for (let n = 0; n < 9; n++) expect(protocolLevel(v5.subarray(0, n))).toBeUndefined();
    expect(protocolLevel(v5.subarray(0, 9))).toBe(5);
    // not a CONNECT: aedes is left to refuse it
    expect(protocolLevel(Buffer.from([0x30, 0x02, 0, 0]))).toBe(-1);
  });
});

describe('routeByProtocol', () => {
  it('closes a connection that sends no CONNECT in time (aedes never sees it)', async () => {
    let handed = 0;
    const server = net.createServer((s) => routeByProtocol(s, () => handed++, 200));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as net.AddressInfo;
    const silent = net.connect(port, '127.0.0.1');
    await new Promise<void>((r) => silent.once('close', () => r()));
    expect(handed).toBe(0);
    await new Promise<void>((r) => server.close(() => r()));
  });
});

/** The packets a raw MQTT 5 client reads from the broker after sending `bytes`, one byte per write. */
async function rawV5(port: number, bytes: Buffer, count: number): Promise<Array<Record<string, unknown>>> {
  const socket = net.connect(port, '127.0.0.1');
  const p = parser({ protocolVersion: 5 });
  const got: Array<Record<string, unknown>> = [];
  const done = new Promise<void>((resolve, reject) => {
    p.on('packet', (packet) => {
      got.push(packet as unknown as Record<string, unknown>);
      if (got.length === count) resolve();
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
  socket.on('data', (d) => p.parse(d));
  await new Promise<void>((r) => socket.once('connect', () => r()));
  for (const b of bytes) await new Promise<void>((r) => socket.write(Buffer.from([b]), () => r()));
  await done;
  socket.destroy();
  return got;
}

describe('MQTT 5 on the embedded broker (no logins)', () => {
  let broker: EmbeddedBroker;
  const clients: MqttClient[] = [];
  beforeAll(async () => {
    broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    for (const c of clients) await c.endAsync(true).catch(() => {});
    await broker?.close();
  });

  it('takes a CONNECT that arrives a byte at a time, and answers in MQTT 5', async () => {
    const bytes = Buffer.concat([connectPacket(5), generate({ cmd: 'pingreq' }, { protocolVersion: 5 })]);
    const got = await rawV5(broker.port, bytes, 2);
    expect(got.map((x) => x.cmd)).toEqual(['connack', 'pingresp']);
    expect(got[0]).toMatchObject({ reasonCode: 0, properties: { topicAliasMaximum: 0 } });
  });

  it('assigns a client id to a CONNECT without one, and refuses enhanced authentication (0x8C)', async () => {
    const noId = generate(
      { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: '', clean: true, keepalive: 30 },
      { protocolVersion: 5 },
    );
    const [ack] = await rawV5(broker.port, noId, 1);
    expect(ack).toMatchObject({ cmd: 'connack', reasonCode: 0 });
    expect((ack.properties as { assignedClientIdentifier?: string }).assignedClientIdentifier).toMatch(
      /^ioc5-/,
    );

    const enhanced = generate(
      {
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 5,
        clientId: 'x',
        clean: true,
        keepalive: 30,
        properties: { authenticationMethod: 'SCRAM-SHA-1' },
      },
      { protocolVersion: 5 },
    );
    const [refused] = await rawV5(broker.port, enhanced, 1);
    expect(refused).toMatchObject({ cmd: 'connack', reasonCode: 0x8c });
  });

  it('carries publishes between MQTT 5 and 3.1.1 clients, QoS 1 and 2, and answers an unsubscribe per topic', async () => {
    const open = async (protocolVersion: 4 | 5) => {
      const c = await mqtt.connectAsync(broker.url, {
        clientId: `t-${randomUUID().slice(0, 8)}`,
        protocolVersion,
        reconnectPeriod: 0,
      });
      clients.push(c);
      return c;
    };
    const v5 = await open(5);
    const v4 = await open(4);
    const to5: string[] = [];
    const to4: string[] = [];
    const received = (c: MqttClient, into: string[], n: number) =>
      new Promise<void>((resolve) =>
        c.on('message', (t, p) => {
          if (into.push(`${t} ${p}`) === n) resolve();
        }),
      );
    const all = Promise.all([received(v5, to5, 1), received(v4, to4, 2)]);
    expect((await v5.subscribeAsync(['a/#', 'b/#'], { qos: 2 })).map((g) => g.qos)).toEqual([2, 2]);
    await v4.subscribeAsync('c/#', { qos: 1 });
    await v4.publishAsync('a/1', 'from 3.1.1', { qos: 2 });
    await v5.publishAsync('c/1', 'from 5', { qos: 1, properties: { userProperties: { k: 'v' } } });
    await v5.publishAsync('c/2', 'from 5 again', { qos: 2 });
    await all;
    expect(to5).toEqual(['a/1 from 3.1.1']);
    expect(to4).toEqual(['c/1 from 5', 'c/2 from 5 again']);
    const unsub = (await v5.unsubscribeAsync(['a/#', 'b/#'])) as { granted?: number[] } | undefined;
    expect(unsub?.granted).toEqual([0, 0]);
  });
});
