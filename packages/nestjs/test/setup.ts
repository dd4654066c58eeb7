// Nest needs the Reflect metadata API before any decorator runs, as in every Nest app's main.ts.
import 'reflect-metadata'
