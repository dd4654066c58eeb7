// Express 4 installed under an alias for the contract matrix; its API surface used in tests is the
// same, so it borrows Express 5's types.
declare module 'express4' {
  import express from 'express'
  export default express
}
