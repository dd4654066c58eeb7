import { failOnStrayLogs } from '@keyward/adapter-tests'

// Every console line a test does not expect fails it: keyward's operator lines go to the
// logger each test gives its verifier, and framework error logs are asserted where they matter.
failOnStrayLogs()
