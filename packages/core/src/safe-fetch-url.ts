/** Whether a URL hostname is a loopback address (RFC 6761 §6.3 `localhost`, 127.0.0.0/8, ::1). */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase()
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  )
}

/**
 * Whether keys or metadata may be fetched from `url`: `https:`, or `http:` on a loopback host
 * for local development and tests. Anything else could be tampered with in transit.
 */
export function isSafeFetchUrl(url: string): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if (parsed.username !== '' || parsed.password !== '') return false
  if (parsed.protocol === 'https:') return true
  return parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)
}
