import { applyDecorators, UseGuards } from '@nestjs/common'
import { BearerAuthGuard } from './bearer-auth.guard.js'
import { Scopes } from './keyward.decorators.js'

/**
 * Protects a controller or route in one line: applies `BearerAuthGuard` and, given scopes,
 * requires every one of them (`@Scopes`). Other rules on the route add to it. Use it or a
 * global guard (`APP_GUARD`), not both: each runs the check.
 *
 * @example
 * ```ts
 * @BearerAuth('orders:read') @Controller('orders') export class OrdersController {}
 * ```
 */
export function BearerAuth(...scopes: string[]): ClassDecorator & MethodDecorator {
  const [first, ...rest] = scopes
  return applyDecorators(
    UseGuards(BearerAuthGuard),
    ...(first === undefined ? [] : [Scopes(first, ...rest)]),
  )
}
