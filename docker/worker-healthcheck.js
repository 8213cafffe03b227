// Docker health check for the worker, which serves no HTTP: healthy while the hosts it consumes
// from (EventStoreDB, Redis, PostgreSQL) accept connections from its container. A worker whose
// dependencies are gone is reported unhealthy instead of looking fine while doing nothing.
'use strict';
const net = require('node:net');

function hostsOf(url, defaultPort) {
  if (!url) return [];
  const match = /^[a-z+]+:\/\/(?:[^@/]*@)?([^/?]+)/i.exec(url);
  if (!match) return [];
  return match[1].split(',').map((hostPort) => {
    const [host, port] = hostPort.split(':');
    return { host, port: Number(port || defaultPort) };
  });
}

function reachable({ host, port }) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
    socket.once('error', () => resolve(false));
  });
}

async function main() {
  const esdb = hostsOf(process.env.EVENTSTORE_CONNECTION_STRING, 2113);
  const groups = [esdb, hostsOf(process.env.REDIS_URL, 6379), hostsOf(process.env.DATABASE_URL, 5432)].filter((g) => g.length);
  // A cluster is usable while any node answers; every other dependency must answer.
  const results = await Promise.all(groups.map(async (group) => (await Promise.all(group.map(reachable))).some(Boolean)));
  process.exit(results.every(Boolean) ? 0 : 1);
}

main().catch(() => process.exit(1));
