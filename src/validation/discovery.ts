import { isIP } from 'node:net';
import type { Entity } from '../graph/types.ts';
import type { AlertEventRecord } from './evidence-records.ts';
import { sameHost } from './match.ts';

/** Hosts the graph already knows (agents, servers, instances, devices), by name and by IP. */
export interface KnownHosts {
  hostnames: Iterable<string>;
  ips: Iterable<string>;
}

/** `device:<ip or hostname>` (DESIGN graph model), the hostname lower-cased. */
export function networkDeviceKey(address: string): string {
  return `device:${address.toLowerCase()}`;
}

/**
 * The `network_device` entities (class Device) for the hosts and IPs that evidence events name and
 * that match no known host: the destination IP of every event, and the hostname and source IP of
 * events no agent reported (an agent's own hostname and address belong to its host, which the
 * graph knows as the agent). Loopback, unspecified and link-local addresses are not devices. One
 * entity per address, in the order first seen, listing the ids of the events that named it.
 */
export function discoverNetworkDevices(events: Iterable<AlertEventRecord>, known: KnownHosts): Entity[] {
  const knownIps = new Set(known.ips);
  const knownNames = [...known.hostnames];
  const found = new Map<string, { address: string; isIp: boolean; eventIds: string[] }>();
  for (const event of events) {
    const named = event.agentId == null ? [event.hostname, event.srcIp, event.dstIp] : [event.dstIp];
    for (const address of named) {
      if (address == null || address === '') continue;
      const isIp = isIP(address) !== 0;
      if (isIp ? knownIps.has(address) || !routable(address) : knownNames.some((n) => sameHost(n, address)))
        continue;
      const key = networkDeviceKey(address);
      const entry = found.get(key) ?? { address, isIp, eventIds: [] };
      if (!entry.eventIds.includes(event.id)) entry.eventIds.push(event.id);
      found.set(key, entry);
    }
  }
  return [...found.entries()].map(([key, { address, isIp, eventIds }]) => ({
    _key: key,
    _type: 'network_device',
    _class: 'Device',
    displayName: address,
    properties: {
      ...(isIp ? { ipAddress: address } : { hostname: address.toLowerCase() }),
      discoveredBy: 'validation',
      evidenceEventIds: eventIds,
    },
  }));
}

function routable(ip: string): boolean {
  return !/^(127\.|0\.0\.0\.0$|169\.254\.|::1$|::$|fe80:)/i.test(ip);
}
