import { createRequire } from 'node:module'
import { audit } from './audit-command.js'
import type { Command, CommandIo } from './command-io.js'
import { explain } from './explain-command.js'
import { MAIN_HELP } from './help.js'
import { UsageError } from './usage-error.js'
import { watch } from './watch-command.js'

const COMMANDS: Readonly<Record<string, Command>> = { audit, explain, watch }

/**
 * Runs `keyward <command> …` and resolves to the exit status. A usage mistake is one line on
 * standard error and status 2; anything unexpected is one line too, never a stack trace.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2), io)
 * ```
 */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...args] = argv
  try {
    if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
      const topic = name === 'help' ? args[0] : undefined
      const command = topic === undefined ? undefined : COMMANDS[topic]
      if (command !== undefined) return await command(['--help'], io)
      // Without a command, the help is the usage error: on standard error, status 2.
      ;(name === undefined ? io.stderr : io.stdout).write(`${MAIN_HELP}\n`)
      return name === undefined ? 2 : 0
    }
    if (name === '-v' || name === '--version') {
      io.stdout.write(`${version()}\n`)
      return 0
    }
    const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
    if (command === undefined) {
      throw new UsageError(
        name.startsWith('-')
          ? `unknown flag ${name}; see keyward --help`
          : `unknown command "${name}"; expected audit, explain or watch`,
      )
    }
    return await command(args, io)
  } catch (error) {
    const prefix =
      name === undefined || !Object.hasOwn(COMMANDS, name) ? 'keyward' : `keyward ${name}`
    if (error instanceof UsageError) {
      io.stderr.write(`${prefix}: ${error.message}\n`)
      return 2
    }
    const message = error instanceof Error ? error.message : String(error)
    io.stderr.write(`${prefix}: unexpected error: ${message.split('\n')[0] ?? ''}\n`)
    return 2
  }
}

function version(): string {
  const manifest = createRequire(import.meta.url)('../package.json') as { version?: unknown }
  return typeof manifest.version === 'string' ? manifest.version : 'unknown'
}

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
})
