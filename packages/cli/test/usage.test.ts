import { describe, expect, it } from 'vitest'
import { runCli } from './support/cli.js'

/** Exit status 2 and exactly one line on standard error, nothing on standard output. */
async function usageError(args: string[], line: string): Promise<void> {
  const run = await runCli(args)
  expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({
    status: 2,
    stdout: '',
    stderr: `${line}\n`,
  })
}

describe('usage errors are one line and exit status 2, never a stack trace', () => {
  it.each([
    [
      ['audit', 'https://a.example/', '--jsonn'],
      'keyward audit: unknown flag --jsonn; see keyward audit --help',
    ],
    [
      ['audit', 'https://a.example/', '--fail-on', 'severe'],
      'keyward audit: --fail-on: expected low, medium, high or critical, got "severe"',
    ],
    [
      ['audit', 'https://a.example/', '--timeout', 'soon'],
      'keyward audit: --timeout: expected a duration such as 30s or 5m, got "soon"',
    ],
    [
      ['audit', 'https://a.example/', '--fail-on'],
      'keyward audit: --fail-on needs a value; see keyward audit --help',
    ],
    [['audit'], 'keyward audit: missing <issuer-url>; see keyward audit --help'],
    [
      ['audit', 'https://a.example/', 'https://b.example/'],
      'keyward audit: unexpected argument "https://b.example/"; see keyward audit --help',
    ],
    [
      ['audit', 'auth.example.com'],
      'keyward audit: <issuer-url>: not an absolute URL: "auth.example.com"',
    ],
    [
      ['audit', 'ftp://auth.example.com/'],
      'keyward audit: <issuer-url>: expected an https: URL, got "ftp:"',
    ],
    [
      ['explain', '--audience', 'api'],
      'keyward explain: --issuer is required; see keyward explain --help',
    ],
    [
      ['explain', '--issuer', 'https://a.example/'],
      'keyward explain: --audience is required; see keyward explain --help',
    ],
    [
      ['explain', '--issuer', 'https://a.example/', '--audience', 'api', '--json=yes'],
      'keyward explain: --json takes no value; see keyward explain --help',
    ],
    [
      ['explain', '--issuer', 'http://a.example/', '--audience', 'api'],
      'keyward explain: "issuer" must be an https: URL to discover the JWKS from (or set "jwksUri"): http: is accepted only on loopback hosts, or on any host in development with "dangerouslyAllowInsecureHttp: true"',
    ],
    [
      ['watch', 'https://a.example/', '--interval', '500ms'],
      'keyward watch: --interval: at least 1s',
    ],
    [
      ['watch', 'https://a.example/', '--interval', '5 minutes'],
      'keyward watch: --interval: expected a duration such as 30s or 5m, got "5 minutes"',
    ],
    [
      ['watch', 'https://a.example/', '-x'],
      'keyward watch: unknown flag -x; see keyward watch --help',
    ],
    [['audits'], 'keyward: unknown command "audits"; expected audit, explain or watch'],
    [['--verbose'], 'keyward: unknown flag --verbose; see keyward --help'],
  ])('keyward %j', async (args, line) => {
    await usageError(args, line)
  })

  it('prints the help on standard error and exits 2 without a command', async () => {
    const run = await runCli([])
    expect(run.status).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/^Usage: keyward <command>/)
  })
})

describe('--help', () => {
  it.each([['audit'], ['explain'], ['watch']])(
    'keyward %s --help shows usage and examples',
    async (command) => {
      for (const args of [
        [command, '--help'],
        [command, '-h'],
        ['help', command],
      ]) {
        const run = await runCli(args)
        expect(run.status).toBe(0)
        expect(run.stderr).toBe('')
        expect(run.stdout).toMatch(new RegExp(`^Usage: keyward ${command} `))
        expect(run.stdout).toMatch(/\nExamples:\n {2}.*keyward /)
      }
    },
  )

  it('keyward --help lists the commands', async () => {
    const run = await runCli(['--help'])
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(
      /\n {2}audit <issuer-url> .*\n {2}explain .*\n {2}watch <issuer-url> /,
    )
  })

  it('keyward --version prints the package version', async () => {
    const run = await runCli(['--version'])
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\n$/)
  })
})
