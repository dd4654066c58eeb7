import { readFileSync } from 'node:fs'
import type { InspectUrlOptions } from '@keyward/core'
import { absoluteUrl } from './args.js'
import { UsageError } from './usage-error.js'

/** The `parseArgs` options of the network flags, shared by the commands that fetch (all three). */
export const NETWORK_FLAGS = {
  proxy: { type: 'string' },
  'ca-file': { type: 'string' },
} as const

/** What {@link networkOptions} returns: the verifier's `jwks` options and `inspectUrl`'s alike. */
export type NetworkOptions = Pick<InspectUrlOptions, 'proxy' | 'extraCaCerts'>

/**
 * `--proxy env|<url>` and `--ca-file <pem>` as the core's `proxy` and `extraCaCerts` options:
 * fetches then go out as a verifier configured with `jwks.proxy` and `jwks.extraCaCerts` would.
 * An unreadable file or a file without a certificate is a usage error.
 *
 * @example
 * ```ts
 * const network = networkOptions({ proxy: 'env', 'ca-file': '/etc/ssl/corp-ca.pem' })
 * ```
 */
export function networkOptions(values: {
  readonly proxy?: string | undefined
  readonly 'ca-file'?: string | undefined
}): NetworkOptions {
  const proxy = values.proxy
  const file = values['ca-file']
  return {
    ...(proxy === undefined
      ? {}
      : { proxy: proxy === 'env' ? ('env' as const) : { url: absoluteUrl(proxy, '--proxy') } }),
    ...(file === undefined ? {} : { extraCaCerts: readPem(file) }),
  }
}

function readPem(file: string): string {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as { code?: unknown }).code
    const reason = typeof code === 'string' ? code : 'error'
    throw new UsageError(`--ca-file: cannot read "${file}" (${reason})`)
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new UsageError(`--ca-file: "${file}" holds no PEM certificate`)
  }
  return text
}
