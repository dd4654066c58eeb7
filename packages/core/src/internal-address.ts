/**
 * IPv4 ranges that are not public unicast destinations: what a URL from a remote document must
 * not make a server call (RFC 6890 special-purpose registry; RFC 1918 private networks).
 */
const IPV4_RANGES: readonly (readonly [base: number, prefix: number])[] = [
  [ipv4(0, 0, 0, 0), 8], // "this network"; 0.0.0.0 reaches the local host (RFC 1122 §3.2.1.3)
  [ipv4(10, 0, 0, 0), 8], // private (RFC 1918)
  [ipv4(100, 64, 0, 0), 10], // shared address space, carrier-grade NAT (RFC 6598)
  [ipv4(127, 0, 0, 0), 8], // loopback (RFC 1122 §3.2.1.3)
  [ipv4(169, 254, 0, 0), 16], // link-local (RFC 3927), cloud metadata services among them
  [ipv4(172, 16, 0, 0), 12], // private (RFC 1918)
  [ipv4(192, 0, 0, 0), 24], // IETF protocol assignments (RFC 6890)
  [ipv4(192, 168, 0, 0), 16], // private (RFC 1918)
  [ipv4(198, 18, 0, 0), 15], // benchmarking (RFC 2544)
  [ipv4(224, 0, 0, 0), 4], // multicast (RFC 5771)
  [ipv4(240, 0, 0, 0), 4], // reserved, limited broadcast (RFC 1112 §4, RFC 919)
]

function ipv4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0
}

function isInternalIpv4(address: number): boolean {
  return IPV4_RANGES.some(([base, prefix]) => {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
    return (address & mask) >>> 0 === base
  })
}

/** A dotted-quad IPv4 literal as WHATWG URL serialises every IPv4 host, or `undefined`. */
function parseIpv4(host: string): number | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host)
  if (match === null) return undefined
  const octets = match.slice(1).map(Number)
  if (octets.some((octet) => octet > 255)) return undefined
  const [a = 0, b = 0, c = 0, d = 0] = octets
  return ipv4(a, b, c, d)
}

/** The eight 16-bit groups of a bracketed IPv6 literal (`[::ffff:7f00:1]`), or `undefined`. */
function parseIpv6(host: string): number[] | undefined {
  if (!host.startsWith('[') || !host.endsWith(']')) return undefined
  const text = host.slice(1, -1)
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const groups = (part: string | undefined): number[] =>
    part === undefined || part === '' ? [] : part.split(':').map((group) => parseInt(group, 16))
  const head = groups(halves[0])
  const tail = groups(halves[1])
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined
  const all = [
    ...head,
    ...Array.from({ length: halves.length === 1 ? 0 : missing }, () => 0),
    ...tail,
  ]
  return all.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff)
    ? all
    : undefined
}

function isInternalIpv6(groups: readonly number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups
  const embedded = ((g6 << 16) | g7) >>> 0
  const upperZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0
  // ::/96 (unspecified, loopback ::1, IPv4-compatible), ::ffff:0:0/96 (IPv4-mapped, RFC 4291
  // §2.5.5) and ::ffff:0:0:0/96 (IPv4-translated, RFC 2765): the IPv4 address decides.
  if (upperZero && g4 === 0 && (g5 === 0 || g5 === 0xffff)) return isInternalIpv4(embedded)
  if (upperZero && g4 === 0xffff && g5 === 0) return isInternalIpv4(embedded)
  // 64:ff9b::/96, the well-known NAT64 prefix (RFC 6052): the embedded IPv4 address decides.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return isInternalIpv4(embedded)
  }
  // 64:ff9b:1::/48, local-use NAT64 (RFC 8215).
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return true
  // 2002::/16, 6to4 (RFC 3056): the IPv4 address in the next 32 bits decides.
  if (g0 === 0x2002) return isInternalIpv4(((g1 << 16) | g2) >>> 0)
  return (
    (g0 & 0xfe00) === 0xfc00 || // unique local (RFC 4193)
    (g0 & 0xffc0) === 0xfe80 || // link-local (RFC 4291 §2.5.6)
    (g0 & 0xffc0) === 0xfec0 || // site-local, deprecated (RFC 3879)
    (g0 & 0xff00) === 0xff00 // multicast (RFC 4291 §2.7)
  )
}

/**
 * Whether a URL hostname, as `new URL(...).hostname` gives it, is an IP literal outside the
 * public unicast space: loopback, private, shared, link-local, unspecified, multicast or
 * reserved, IPv4-mapped and NAT64 forms included. WHATWG URL parsing has already turned
 * `0x7f.1`, `2130706433` and `127.1` into `127.0.0.1`. DNS names are never resolved here.
 *
 * @example
 * ```ts
 * isInternalAddress(new URL('https://169.254.169.254/').hostname) // true
 * isInternalAddress('[::ffff:7f00:1]') // true: 127.0.0.1, IPv4-mapped
 * isInternalAddress('keys.example.com') // false: a name, not resolved
 * ```
 */
export function isInternalAddress(hostname: string): boolean {
  const v4 = parseIpv4(hostname)
  if (v4 !== undefined) return isInternalIpv4(v4)
  const v6 = parseIpv6(hostname.toLowerCase())
  return v6 !== undefined && isInternalIpv6(v6)
}
