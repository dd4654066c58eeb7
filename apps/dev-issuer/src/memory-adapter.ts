import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider'

interface Entry {
  payload: AdapterPayload
  expiresAt: number
}

/**
 * oidc-provider's storage, in memory and shared by every provider instance of one dev issuer (it
 * rebuilds the provider on key changes). JWT access tokens are self-contained and never stored;
 * this only holds the odd record a grant may write. Passing an adapter also keeps oidc-provider
 * from warning about its own quick-start adapter on every rebuild.
 *
 * @example
 * ```ts
 * new Provider(issuer, { adapter: createMemoryAdapter() })
 * ```
 */
export function createMemoryAdapter(now: () => number = Date.now): AdapterFactory {
  const store = new Map<string, Entry>()
  const read = (key: string): AdapterPayload | undefined => {
    const entry = store.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= now()) {
      store.delete(key)
      return undefined
    }
    return entry.payload
  }
  const findBy = (field: 'userCode' | 'uid', model: string, value: string) => {
    for (const [key, entry] of store) {
      if (key.startsWith(`${model}:`) && entry.payload[field] === value) return read(key)
    }
    return undefined
  }
  return (model: string): Adapter => ({
    upsert(id, payload, expiresIn) {
      store.set(`${model}:${id}`, { payload, expiresAt: now() + expiresIn * 1000 })
      return Promise.resolve()
    },
    find: (id) => Promise.resolve(read(`${model}:${id}`)),
    findByUserCode: (userCode) => Promise.resolve(findBy('userCode', model, userCode)),
    findByUid: (uid) => Promise.resolve(findBy('uid', model, uid)),
    consume(id) {
      const payload = read(`${model}:${id}`)
      if (payload !== undefined) payload.consumed = Math.floor(now() / 1000)
      return Promise.resolve()
    },
    destroy(id) {
      store.delete(`${model}:${id}`)
      return Promise.resolve()
    },
    revokeByGrantId(grantId) {
      for (const [key, entry] of store) if (entry.payload.grantId === grantId) store.delete(key)
      return Promise.resolve()
    },
  })
}
