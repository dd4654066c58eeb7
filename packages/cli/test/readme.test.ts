import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CHECKS } from '../src/audit-checks.js'
import { EXPLANATIONS } from '../src/explain-rules.js'

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

/** Rows of the README's tables whose first cell is a code span: its name and the other cells. */
function rows(): { name: string; cells: string[] }[] {
  return README.split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [first = '', ...cells] = line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim())
      return { name: first.slice(1, -1), cells }
    })
}

describe('the README', () => {
  it('lists every audit check with its id, severity and reference, once', () => {
    const listed = rows().filter((row) => row.name.includes('.'))
    expect(listed.map((row) => [row.name, row.cells[0], row.cells[2]])).toEqual(
      Object.entries(CHECKS).map(([id, spec]) => [id, spec.severity, spec.reference]),
    )
  })

  it("lists every code explain can report and explain's reference for it", () => {
    // The decision table's codes: snake_case (the watch table's line names have spaces).
    const listed = rows().filter((row) => /^[a-z0-9]+(_[a-z0-9]+)+$/.test(row.name))
    const reported = Object.keys(EXPLANATIONS).filter(
      // Route guards' codes come from routes, not from a token alone.
      (code) =>
        ![
          'missing_token',
          'invalid_request',
          'insufficient_scope',
          'workload_not_allowed',
        ].includes(code),
    )
    expect(listed.map((row) => row.name)).toEqual(reported)
    for (const row of listed) {
      const reference = EXPLANATIONS[row.name as keyof typeof EXPLANATIONS].reference
      expect(reference.startsWith(row.cells[1] ?? '?')).toBe(true)
    }
  })
})
