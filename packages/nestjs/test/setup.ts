// Nest needs the Reflect metadata API before any decorator runs, as in every Nest app's main.ts.
import 'reflect-metadata'
import { failOnStrayLogs } from '@keyward/adapter-tests'

// Every console line a test does not expect fails it (keyward's own lines go to Nest's Logger,
// which the test apps silence or capture).
failOnStrayLogs()
