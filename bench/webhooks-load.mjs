// The load generator of `npm run bench -- webhooks`, forked by bench/webhooks.ts so that the server
// it measures has its process (and its event loop) to itself, as autocannon on loopback would.
// Plain JavaScript: it loads no project code. It keeps the deliveries' state for its whole life
// (replays name alerts it saw accepted), and answers each `{ url, concurrency, seconds }` message
// with a closed-loop load's figures: `concurrency` clients each sending as soon as their last answer
// came, for `seconds`. Then `{ done: true }` returns how many unique alerts were accepted.
import { randomBytes } from 'node:crypto';
import { Pool } from 'undici';

/** Alert ids sent as new and answered 2xx: the replays pick among them, and they must all be stored. */
const acceptedIds = [];
let n = 0;
/** This generator's part of an ObjectId: five random bytes, as a MongoDB process has. */
const processPart = randomBytes(5).toString('hex');

/**
 * A new alert id shaped as Threat Stack's (a MongoDB ObjectId, spec §2.2: "652f8a1c9e0d4b3a2c1f0e9d", as the simulator makes them):
 * seconds since the epoch, a per-process random part, then a counter — so ids grow with time.
 */
function objectId() {
  const seconds = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  return `${seconds}${processPart}${(n & 0xffffff).toString(16).padStart(6, '0')}`;
}

/** 1 % malformed JSON, 10 % replays of an alert already accepted, the rest new alerts. */
function next() {
  n += 1;
  if (n % 100 === 0) return { body: '{"alerts":[', id: undefined };
  if (n % 10 === 0 && acceptedIds.length > 0) {
    const id = acceptedIds[Math.floor(Math.random() * acceptedIds.length)];
    return {
      body: JSON.stringify({ alerts: [{ id, title: 'replay', created_at: Date.now(), severity: 2 }] }),
      id: undefined,
    };
  }
  const id = objectId();
  return {
    body: JSON.stringify({ alerts: [{ id, title: `alert ${n}`, created_at: Date.now(), severity: 1 }] }),
    id,
  };
}

async function load({ url, concurrency, seconds }) {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: concurrency, pipelining: 1 });
  const latencies = [];
  let errors = 0;
  const statuses = {};
  const end = performance.now() + seconds * 1000;
  const client = async () => {
    while (performance.now() < end) {
      const delivery = next();
      const started = performance.now();
      const answer = await pool.request({
        method: 'POST',
        path: target.pathname,
        headers: { 'content-type': 'application/json' },
        body: delivery.body,
      });
      await answer.body.dump();
      latencies.push(performance.now() - started);
      statuses[answer.statusCode] = (statuses[answer.statusCode] ?? 0) + 1;
      if (answer.statusCode === 202 || answer.statusCode === 200) {
        if (delivery.id !== undefined) acceptedIds.push(delivery.id);
      } else if (answer.statusCode !== 400) errors += 1;
    }
  };
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, client));
  const used = process.cpuUsage(cpu);
  await pool.close();
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? 0;
  return {
    concurrency,
    rate: latencies.length / seconds,
    p99,
    errors,
    statuses,
    clientCpuMs: (used.user + used.system) / 1000,
  };
}

process.on('message', (message) => {
  if (message.done === true) {
    process.send({ uniqueAccepted: new Set(acceptedIds).size }, () => process.exit(0));
    return;
  }
  load(message).then(
    (level) => process.send({ level }),
    (error) => process.send({ error: String(error?.stack ?? error) }),
  );
});
