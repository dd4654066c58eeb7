// GraphQL in Nest (@nestjs/graphql with Apollo, on Express): the same BearerAuthGuard protects
// resolvers, reading the request from the GraphQL context, and the start-up scan holds resolvers
// to the same rule as controllers.
import { readFile } from 'node:fs/promises'
import { Injectable, Module, UseGuards, type DynamicModule, type Type } from '@nestjs/common'
import { APP_GUARD } from '@nestjs/core'
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo'
import { GraphQLModule, Query, Resolver } from '@nestjs/graphql'
import {
  expectedChallenge,
  startJwksServer,
  TestIssuer,
  type JwksServer,
} from '@keyward/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  Auth,
  BearerAuthGuard,
  KeywardModule,
  Public,
  Scopes,
  type VerifiedToken,
} from '../src/index.js'
import { startApp, startError, type RunningApp } from './nest-app.js'

const typeDefs = 'type Query { me: String! admin: String! hello: String! }'

// recipe:start graphql
@Resolver()
@UseGuards(BearerAuthGuard)
class AccountResolver {
  @Query('me')
  me(@Auth() auth: VerifiedToken): string | undefined {
    return auth.subject
  }

  @Scopes('admin')
  @Query('admin')
  admin(): string {
    return 'secret'
  }

  @Public()
  @Query('hello')
  hello(): string {
    return 'hello'
  }
}
// recipe:end graphql

@Resolver()
class UnguardedResolver {
  @Scopes('admin')
  @Query('admin')
  admin(): string {
    return 'secret'
  }

  @Query('me')
  me(): string {
    return 'me'
  }

  @Query('hello')
  hello(): string {
    return 'hello'
  }
}

/** A plain service whose methods carry no keyward rule: the scan leaves it alone. */
@Injectable()
class PlainService {
  value(): number {
    return 1
  }
}

let issuer: TestIssuer
let jwks: JwksServer

function appModule(resolvers: Type[], extra: { global?: boolean } = {}): DynamicModule {
  @Module({
    imports: [
      KeywardModule.forRoot({
        issuer: issuer.issuer,
        audience: issuer.audience,
        jwksUri: jwks.url,
      }),
      GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, typeDefs }),
    ],
    providers: [
      ...resolvers,
      PlainService,
      ...(extra.global === true ? [{ provide: APP_GUARD, useClass: BearerAuthGuard }] : []),
    ],
  })
  class AppModule {}
  return { module: AppModule }
}

interface GraphQLAnswer {
  readonly status: number
  readonly challenge: string | null
  readonly data: Record<string, unknown> | null | undefined
  readonly errors: { extensions?: Record<string, unknown> }[] | undefined
}

async function query(app: RunningApp, source: string, token?: string): Promise<GraphQLAnswer> {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ query: source }),
  })
  const body = (await response.json()) as Pick<GraphQLAnswer, 'data' | 'errors'>
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    data: body.data,
    errors: body.errors,
  }
}

beforeAll(async () => {
  issuer = await TestIssuer.create({ alg: 'ES256' })
  jwks = await startJwksServer({ issuer })
})
afterAll(async () => {
  await jwks.close()
})

describe.each([
  ['a guard on the resolver', [AccountResolver], false],
  ['a global guard', [AccountResolver], true],
] as const)('GraphQL resolvers behind %s', (_, resolvers, global) => {
  let app: RunningApp
  beforeAll(async () => {
    app = await startApp(appModule([...resolvers], { global }), 'express')
  })
  afterAll(async () => {
    await app.close()
  })

  it('resolves a query with the verified token of the request', async () => {
    const answer = await query(app, '{ me }', issuer.mint({ sub: 'alice' }))
    expect(answer).toMatchObject({ status: 200, data: { me: 'alice' } })
    expect(answer.errors).toBeUndefined()
  })

  it('refuses a query without a token: UNAUTHENTICATED, a bare challenge, no data', async () => {
    const answer = await query(app, '{ me }')
    expect(answer.data).toBeNull()
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' })
    expect(answer.challenge).toBe(expectedChallenge('missing_token'))
  })

  it('refuses a forged token with invalid_token in the challenge', async () => {
    const forged = `${issuer.mint().slice(0, -4)}AAAA`
    const answer = await query(app, '{ me }', forged)
    expect(answer.data).toBeNull()
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' })
    expect(answer.challenge).toBe(expectedChallenge('invalid_signature'))
  })

  it('refuses a resolver whose scope the token lacks: FORBIDDEN, insufficient_scope', async () => {
    const answer = await query(app, '{ admin }', issuer.mint({ scope: 'read' }))
    expect(answer.data).toBeNull()
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' })
    expect(answer.challenge).toBe(expectedChallenge('insufficient_scope', { scope: 'admin' }))
    const allowed = await query(app, '{ admin }', issuer.mint({ scope: 'admin' }))
    expect(allowed.data).toEqual({ admin: 'secret' })
  })

  it('serves a @Public() resolver without a token', async () => {
    const answer = await query(app, '{ hello }')
    expect(answer).toMatchObject({ status: 200, data: { hello: 'hello' } })
  })
})

describe('the start-up scan with GraphQL resolvers', () => {
  it('refuses to start when a resolver has a keyward rule that no BearerAuthGuard enforces', async () => {
    const error = await startError(appModule([UnguardedResolver]), 'express')
    expect(error).toMatchObject({
      code: 'unguarded_routes',
      routes: ['UnguardedResolver.admin'],
    })
  })

  it('starts when a global guard covers the resolvers, and leaves plain services alone', async () => {
    expect(await startError(appModule([UnguardedResolver], { global: true }), 'express')).toBe(
      undefined,
    )
    expect(await startError(appModule([AccountResolver]), 'express')).toBe(undefined)
  })
})

describe('README', () => {
  it('holds the GraphQL recipe exactly as tested here', async () => {
    const source = await readFile(new URL(import.meta.url), 'utf8')
    const recipe = /\/\/ recipe:start graphql\n([\s\S]*?)\/\/ recipe:end graphql/.exec(source)?.[1]
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
    expect(recipe).toBeDefined()
    expect(readme).toContain(recipe)
  })
})
