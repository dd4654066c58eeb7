import { parseArgs, type ParseArgsConfig } from 'node:util'

type OptionsConfig = NonNullable<ParseArgsConfig['options']>

/** What {@link parseCommandLine} returns: `values` typed from the options, and `positionals`. */
export type ParsedCommandLine<T extends OptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
>
import { UsageError } from './usage-error.js'

/**
 * `parseArgs` in strict mode, with its errors turned into one-line {@link UsageError}s that name
 * the flag and point at the command's help.
 *
 * @example
 * ```ts
 * const { values, positionals } = parseCommandLine('watch', argv, { json: { type: 'boolean' } })
 * ```
 */
export function parseCommandLine<const T extends OptionsConfig>(
  command: string,
  args: readonly string[],
  options: T,
): ParsedCommandLine<T> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true })
  } catch (error) {
    throw new UsageError(`${describeParseError(error)}; see keyward ${command} --help`)
  }
}

/** node:util's messages are long and suggest `--`; say what is wrong in a few words. */
function describeParseError(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown }
  const text = typeof message === 'string' ? message : String(error)
  const quoted = /'([^']+)'/.exec(text)?.[1] ?? ''
  const flag = quoted.split(' ')[0] ?? quoted
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${flag}`
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return text.includes('argument missing') ? `${flag} needs a value` : `${flag} takes no value`
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${quoted}"`
    default:
      return text.split('\n')[0] ?? text
  }
}

/**
 * The one positional argument a command takes, or a usage error.
 *
 * @example
 * ```ts
 * const issuer = onePositional('audit', positionals, '<issuer-url>')
 * ```
 */
export function onePositional(
  command: string,
  positionals: readonly string[],
  name: string,
): string {
  const [first, second] = positionals
  if (first === undefined) throw new UsageError(`missing ${name}; see keyward ${command} --help`)
  if (second !== undefined) {
    throw new UsageError(`unexpected argument "${second}"; see keyward ${command} --help`)
  }
  return first
}

/**
 * An absolute `http:` or `https:` URL given on the command line, or a usage error. Which of
 * them keyward will fetch is the core's rule (`https:`, or `http:` on loopback), applied later.
 *
 * @example
 * ```ts
 * const issuer = absoluteUrl('https://auth.example.com/', '<issuer-url>')
 * ```
 */
export function absoluteUrl(text: string, name: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`${name}: not an absolute URL: "${text}"`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`${name}: expected an https: URL, got "${url.protocol}"`)
  }
  return text
}
