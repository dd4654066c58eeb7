import { own, type OptionRecord } from './option-readers.js'

/**
 * The RFC 9728 `resource` of a `protectedResourceMetadata(...)` result given as the
 * `resourceMetadata` option, or `undefined` without one.
 */
export function metadataResource(metadata: unknown): string | undefined {
  if (typeof metadata !== 'object' || metadata === null) return undefined
  const document = own(metadata as OptionRecord, 'document')
  if (typeof document !== 'object' || document === null) return undefined
  const resource = own(document as OptionRecord, 'resource')
  return typeof resource === 'string' ? resource : undefined
}

/**
 * The canonical form of a resource URI (MCP authorization, "Canonical Server URI"; RFC 8707
 * §2): scheme and host lower-cased, default port dropped, no fragment. The path is kept as it
 * is, trailing slash included: `https://mcp.example.com/mcp` and `https://mcp.example.com/mcp/`
 * are two resources, while an empty path is `/` (`https://mcp.example.com` and
 * `https://mcp.example.com/` are one). A value that is not a URL (a URN, an API identifier)
 * is its own canonical form.
 */
export function canonicalResourceUri(value: string): string {
  if (!URL.canParse(value)) return value
  const url = new URL(value)
  url.hash = ''
  return url.href
}

/**
 * The audience of an issuer when the verifier has resource metadata: absent, the metadata's
 * `resource` (an MCP server accepts only tokens minted for itself, MCP authorization "Token
 * Audience Binding and Validation"); given, each value must name that resource (canonically),
 * and `null` is refused, for either would accept tokens minted for another resource; the
 * resource as the metadata spells it is then accepted too. Without metadata, `audience` as given.
 */
export function audienceWithResource(
  audience: unknown,
  resource: string | undefined,
  name: string,
): unknown {
  if (resource === undefined) return audience
  if (audience === undefined) return resource
  if (audience === null) {
    throw new TypeError(
      `"${name}": null contradicts "resourceMetadata": an MCP server must check that tokens were minted for its resource (${JSON.stringify(resource)}); omit "${name}" to use it`,
    )
  }
  const expected = canonicalResourceUri(resource)
  const values: unknown[] = Array.isArray(audience) ? audience : [audience]
  for (const value of values) {
    if (typeof value === 'string' && canonicalResourceUri(value) !== expected) {
      throw new TypeError(
        `"${name}" ${JSON.stringify(value)} disagrees with the "resource" of "resourceMetadata" (${JSON.stringify(resource)}): tokens are minted for the resource the metadata names; omit "${name}" to use it`,
      )
    }
  }
  // Tokens carry the resource as the metadata spells it (the client's RFC 8707 `resource`).
  return [...new Set([...values, resource])]
}
