/** The origins the `startMcp` app of every adapter allows (`originCheck`'s `allowedOrigins`). */
export const MCP_ALLOWED_ORIGINS: readonly string[] = ['https://app.example.com']

/** The per-tool scopes of the `startMcp` app of every adapter (`toolScopes`' map). */
export const MCP_TOOL_SCOPES: Readonly<Record<string, readonly string[]>> = {
  write_thing: ['write:things'],
  admin_thing: ['admin'],
}
