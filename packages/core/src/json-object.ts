const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Parses a JOSE header or JWT claims set: strict UTF-8 (RFC 7515 §4, RFC 7519 §7.2), no byte
 * order mark, a JSON object, and no member name twice (RFC 7515 §4: a parser must reject
 * duplicates or keep the last; two parsers keeping different ones is how signature bypasses
 * happen, so keyward rejects). The result has a null prototype, so `__proto__` stays an inert
 * own property. Returns `undefined` for anything else.
 */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  let text: string
  try {
    text = decoder.decode(bytes)
  } catch {
    return undefined
  }
  if (text.charCodeAt(0) === 0xfeff) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  if (hasDuplicateMember(text, Object.keys(value).length)) return undefined
  Object.setPrototypeOf(value, null)
  return value as Record<string, unknown>
}

/**
 * Counts the members of the top-level object in already-validated JSON text. When the count
 * exceeds the parsed object's key count, a name appeared twice.
 */
function hasDuplicateMember(text: string, parsedKeys: number): boolean {
  let members = 0
  let depth = 0
  let expectingKey = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22 /* " */) {
      if (depth === 1 && expectingKey) {
        members++
        expectingKey = false
      }
      // Skip the string body, honouring escapes.
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i)
        if (s === 0x5c /* \ */) i++
        else if (s === 0x22) break
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++
      if (depth === 1) expectingKey = true
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--
    } else if (c === 0x2c /* , */ && depth === 1) {
      expectingKey = true
    }
  }
  return members !== parsedKeys
}
