// The SSRF guard: webhooks go to the public internet only, unless a dev setting says otherwise.
// Names are resolved and every address checked, at registration and again on each
// connection (the checked address is the one connected to), so a DNS answer that
// changes after registration (rebinding) cannot reach an internal address.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/** A target the guard refuses: permanent (the URL will not become acceptable by retrying). */
export class TargetRefused extends Error {
  readonly kind = 'permanent' as const;
  constructor(
    readonly target: string,
    readonly reason: string,
  ) {
    super(`webhook target ${target} refused: ${reason}`);
    this.name = 'TargetRefused';
  }
}

/** Why an address may not be a webhook target (its ipaddr.js range name), or undefined when it is public unicast. */
export function blockedRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  let parsed = ipaddr.parse(address);
  // ::ffff:10.0.0.1 and friends are the IPv4 address in disguise.
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  return range === 'unicast' ? undefined : range;
}

export interface UrlCheckOptions {
  /** Private, loopback and link-local targets allowed (dev and tests only). */
  allowPrivate: boolean;
}

/** Checks a URL's form (http/https, no credentials, no fragment); throws TargetRefused. */
export function checkUrlForm(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetRefused(raw.slice(0, 100), 'not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TargetRefused(url.origin, `scheme ${url.protocol} (only http and https)`);
  if (url.username || url.password)
    throw new TargetRefused(url.host, 'credentials in the URL (use the signature, not basic auth in the URL)');
  if (url.hash) throw new TargetRefused(url.host, 'a fragment (#...) in the URL');
  return url;
}

/** The host name of a URL as DNS and IP parsers want it (`[::1]` -> `::1`). */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

type Resolve = (host: string) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (host) =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

/**
 * Resolves the URL's host and refuses it when any address is private, loopback,
 * link-local, multicast or otherwise not public unicast (one bad address is
 * enough: the connection may pick it). Returns the addresses.
 */
export async function checkTarget(raw: string, o: UrlCheckOptions, resolve: Resolve = systemResolve): Promise<LookupAddress[]> {
  const url = checkUrlForm(raw);
  const host = hostOf(url);
  let addresses: LookupAddress[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await resolve(host);
    } catch (err) {
      throw new TargetRefused(url.host, `the name does not resolve (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (addresses.length === 0) throw new TargetRefused(url.host, 'the name resolves to no address');
  if (!o.allowPrivate) {
    for (const a of addresses) {
      const range = blockedRange(a.address);
      if (range) throw new TargetRefused(url.host, `${a.address} is ${range} (not a public address)`);
    }
  }
  return addresses;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node:http(s) requests that resolves as usual and then fails
 * the connection when an address is not allowed: the guard applied to the very
 * address the socket connects to.
 */
export function guardedLookup(o: UrlCheckOptions, resolve: Resolve = systemResolve): LookupFunction {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    const addresses: Promise<LookupAddress[]> = isIP(host) ? Promise.resolve([{ address: host, family: isIP(host) }]) : resolve(host);
    addresses.then(
      (list) => {
        if (!o.allowPrivate) {
          for (const a of list) {
            const range = blockedRange(a.address);
            if (range) return callback(new TargetRefused(hostname, `${a.address} is ${range} (not a public address)`), []);
          }
        }
        if (list.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
        if (options.all) return callback(null, list);
        return callback(null, list[0]!.address, list[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, []),
    );
  };
}
