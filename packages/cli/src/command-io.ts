/** What a command reads and writes; the process's streams, passed in so nothing else is global. */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean }
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean }
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean }
  readonly env: Readonly<Record<string, string | undefined>>
}

/** A command: its arguments (after the command name) in, an exit status out. */
export type Command = (args: readonly string[], io: CommandIo) => Promise<number>
