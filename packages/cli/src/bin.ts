#!/usr/bin/env node
// aerospike-numpy: the command line (see cli.ts).
import { main } from './cli.js'

process.exitCode = await main(process.argv.slice(2))
