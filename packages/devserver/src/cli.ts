#!/usr/bin/env node
// aerospike-devserver: runs the devserver as its own process until SIGINT/SIGTERM.

import { parseArgs } from 'node:util'

import { DevServerError } from './errors.js'
import { startDevServer } from './server.js'

const USAGE = `usage: aerospike-devserver [--port 3000] [--nodes 1] [--host 127.0.0.1] [--namespaces test,bar] [--cluster-name NAME]
       [--nsup-period 120] [--default-ttl 0] [--allow-ttl-without-nsup]

An in-memory Aerospike-compatible server for tests and demos. Node i listens on port + i.
--nsup-period 0 behaves like the packaged aerospike.conf: writes that set a TTL fail with 22.
Prints the hosts (host:port,...) once every node listens; stops on SIGINT or SIGTERM.`

function integerOption(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  if (!/^\d+$/.test(text))
    throw new DevServerError(
      'DEVSERVER_BAD_OPTION',
      `--${name} must be a non-negative integer, got ${JSON.stringify(text)}`,
    )
  return Number(text)
}

async function main(argv: string[]): Promise<number> {
  let values
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        nodes: { type: 'string' },
        host: { type: 'string' },
        namespaces: { type: 'string' },
        'cluster-name': { type: 'string' },
        'nsup-period': { type: 'string' },
        'default-ttl': { type: 'string' },
        'allow-ttl-without-nsup': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }))
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`)
    return 2
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  try {
    const server = await startDevServer({
      port: integerOption('port', values.port, 3000),
      nodes: integerOption('nodes', values.nodes, 1),
      host: values.host ?? '127.0.0.1',
      namespaces: (values.namespaces ?? 'test,bar').split(',').filter((ns) => ns.length > 0),
      ...(values['cluster-name'] === undefined ? {} : { clusterName: values['cluster-name'] }),
      nsupPeriod: integerOption('nsup-period', values['nsup-period'], 120),
      defaultTtl: integerOption('default-ttl', values['default-ttl'], 0),
      allowTtlWithoutNsup: values['allow-ttl-without-nsup'] === true,
      keepProcessAlive: true,
    })
    process.stdout.write(`aerospike-devserver listening: ${server.hosts}\n`)
    process.stdout.write(
      `namespaces: ${server.namespaces.join(',')}; nodes: ${server.nodes.map((n) => n.name).join(',')}\n`,
    )
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        resolve()
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
    await server.stop()
    process.stdout.write('aerospike-devserver stopped\n')
    return 0
  } catch (error) {
    process.stderr.write(
      `aerospike-devserver: ${error instanceof Error ? error.message : String(error)}\n`,
    )
    return 1
  }
}

process.exitCode = await main(process.argv.slice(2))
