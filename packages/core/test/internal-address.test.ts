import { describe, expect, it } from 'vitest'
import { isInternalAddress } from '../src/internal-address.js'

/** The hostname as every caller passes it: WHATWG URL's serialisation. */
const hostOf = (host: string): string => new URL(`https://${host}/`).hostname

describe('isInternalAddress', () => {
  it.each([
    ['0.0.0.0', 'the unspecified address, which reaches the local host'],
    ['10.1.2.3', 'RFC 1918'],
    ['100.64.0.1', 'shared address space (RFC 6598)'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'the end of 127.0.0.0/8'],
    ['169.254.169.254', 'link-local: the cloud metadata service'],
    ['172.16.0.1', 'RFC 1918, start of 172.16.0.0/12'],
    ['172.31.255.255', 'RFC 1918, end of 172.16.0.0/12'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['192.168.1.1', 'RFC 1918'],
    ['198.18.0.1', 'benchmarking'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'limited broadcast'],
    ['0x7f.1', 'hexadecimal loopback, normalised by URL'],
    ['2130706433', 'loopback as one decimal number, normalised by URL'],
    ['127.1', 'shortened loopback, normalised by URL'],
    ['[::]', 'the unspecified IPv6 address'],
    ['[::1]', 'IPv6 loopback'],
    ['[::ffff:127.0.0.1]', 'IPv4-mapped loopback'],
    ['[::ffff:169.254.169.254]', 'IPv4-mapped link-local'],
    ['[::ffff:0:10.0.0.1]', 'IPv4-translated private'],
    ['[64:ff9b::7f00:1]', 'NAT64 of loopback'],
    ['[64:ff9b:1::1]', 'local-use NAT64'],
    ['[2002:7f00:1::1]', '6to4 of loopback'],
    ['[fc00::1]', 'unique local'],
    ['[fd12:3456::1]', 'unique local'],
    ['[fe80::1]', 'link-local'],
    ['[fec0::1]', 'site-local'],
    ['[ff02::1]', 'multicast'],
  ])('counts %s as internal (%s)', (host) => {
    expect(isInternalAddress(hostOf(host))).toBe(true)
  })

  it.each([
    ['8.8.8.8', 'a public IPv4 address'],
    ['172.15.255.255', 'just below 172.16.0.0/12'],
    ['172.32.0.0', 'just above 172.16.0.0/12'],
    ['100.128.0.1', 'just above 100.64.0.0/10'],
    ['169.255.0.1', 'just above 169.254.0.0/16'],
    ['[2001:4860:4860::8888]', 'a public IPv6 address'],
    ['[::ffff:8.8.8.8]', 'an IPv4-mapped public address'],
    ['[64:ff9b::808:808]', 'NAT64 of a public address'],
    ['keys.example.com', 'a DNS name, never resolved'],
    ['localhost', 'a name: the caller judges names'],
  ])('counts %s as not internal (%s)', (host) => {
    expect(isInternalAddress(hostOf(host))).toBe(false)
  })
})
