/** ANSI styling for one output stream; every function is the identity when colour is off. */
export interface Style {
  readonly enabled: boolean
  readonly bold: (text: string) => string
  readonly dim: (text: string) => string
  readonly red: (text: string) => string
  readonly yellow: (text: string) => string
  readonly green: (text: string) => string
  readonly cyan: (text: string) => string
  readonly magenta: (text: string) => string
}

/**
 * Colour only on a terminal and without `NO_COLOR` (https://no-color.org); `FORCE_COLOR` (other
 * than `0`) turns it on anyway, for pagers and CI logs that render ANSI.
 *
 * @example
 * ```ts
 * const paint = styleFor(process.stdout, process.env)
 * console.log(paint.red('critical'))
 * ```
 */
export function styleFor(
  stream: { readonly isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>>,
): Style {
  const force = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0'
  const enabled = force || (stream.isTTY === true && env.NO_COLOR === undefined)
  const sgr = (open: number, close: number) => (text: string) =>
    enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text
  return {
    enabled,
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    yellow: sgr(33, 39),
    green: sgr(32, 39),
    cyan: sgr(36, 39),
    magenta: sgr(35, 39),
  }
}
