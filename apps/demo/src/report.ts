/** One line of the tour's verdict. */
export interface Row {
  readonly scenario: string
  readonly api: string
  readonly expected: string
  readonly got: string
  readonly ok: boolean
}

/** ANSI styling, off when `NO_COLOR` is set or stdout is not a terminal (`FORCE_COLOR` wins). */
export interface Palette {
  readonly bold: (text: string) => string
  readonly dim: (text: string) => string
  readonly green: (text: string) => string
  readonly red: (text: string) => string
  readonly cyan: (text: string) => string
}

/**
 * The palette for a stream, following the NO_COLOR and FORCE_COLOR conventions.
 *
 * @example
 * ```ts
 * const paint = palette(process.stdout.isTTY, process.env)
 * console.log(paint.green('ok'))
 * ```
 */
export function palette(
  isTty: boolean,
  env: Readonly<Record<string, string | undefined>>,
): Palette {
  const force = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0'
  const on = force || (isTty && env.NO_COLOR === undefined)
  const style = (open: number, close: number) => (text: string) =>
    on ? `\x1b[${open}m${text}\x1b[${close}m` : text
  return {
    bold: style(1, 22),
    dim: style(2, 22),
    green: style(32, 39),
    red: style(31, 39),
    cyan: style(36, 39),
  }
}

/**
 * A plain text table; `cells` may contain ANSI codes (widths are measured without them).
 *
 * @example
 * ```ts
 * table(['api', 'result'], [['koa-api', 'ok']])
 * ```
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  // eslint-disable-next-line no-control-regex -- ANSI colour codes take no room on screen
  const width = (text: string) => text.replace(/\x1b\[\d+m/g, '').length
  const widths = header.map((title, i) =>
    Math.max(width(title), ...rows.map((row) => width(row[i] ?? ''))),
  )
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell + ' '.repeat((widths[i] ?? 0) - width(cell)))
      .join('  ')
      .trimEnd()
  const rule = widths.map((w) => '─'.repeat(w)).join('  ')
  return [line(header), rule, ...rows.map(line)].join('\n')
}

/**
 * The verdict table: one row per scenario and API, expected next to what happened.
 *
 * @example
 * ```ts
 * console.log(verdictTable(rows, paint))
 * ```
 */
export function verdictTable(rows: readonly Row[], paint: Palette): string {
  let previous = ''
  return table(
    ['', 'scenario', 'api', 'expected', 'got'].map(paint.bold),
    rows.map((row) => {
      // Each scenario's name once, over its rows.
      const scenario = row.scenario === previous ? '' : row.scenario
      previous = row.scenario
      return [
        row.ok ? paint.green('✔') : paint.red('✘'),
        scenario,
        paint.cyan(row.api),
        paint.dim(row.expected),
        row.ok ? row.got : paint.red(row.got),
      ]
    }),
  )
}
