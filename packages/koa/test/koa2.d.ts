// Koa 2 installed under an alias for the contract matrix; its API surface used in tests is the
// same, so it borrows Koa 3's types.
declare module 'koa2' {
  import Koa from 'koa'
  export default Koa
}
