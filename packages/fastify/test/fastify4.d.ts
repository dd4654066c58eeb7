// Fastify 4 installed under an alias for the contract matrix; its API surface used in tests is the
// same, so it borrows Fastify 5's types.
declare module 'fastify4' {
  import Fastify from 'fastify'
  export default Fastify
}
