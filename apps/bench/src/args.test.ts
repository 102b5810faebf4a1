import { describe, expect, it } from 'vitest'
import { DEFAULT_OPTIONS, parseArgs, parseHosts, UsageError } from './args.js'

describe('parseArgs', () => {
  it('gives the defaults without flags and without AEROSPIKE_HOSTS', () => {
    const options = parseArgs([], {})
    expect(options).toEqual({ ...DEFAULT_OPTIONS })
    expect(options.hosts).toBeNull()
    expect(options.chunkSizes).toEqual([100, 250, 500, 1000, 2000, 5000])
  })

  it('reads every flag, in both --flag value and --flag=value spellings', () => {
    const options = parseArgs(
      [
        '--rows=5000',
        '--run-seconds',
        '2.5',
        '--chunk-sizes',
        '1000,100,1000',
        '--concurrency=2,1',
        '--dtype',
        'embeddings',
        '--engine=wire',
        '--no-sync',
        '--workers',
        '0',
        '--no-baselines',
        '--hosts',
        'a:3000, b:3001',
        '--namespace',
        'bar',
        '--set-prefix',
        'ci_1',
        '--json',
        'out.json',
        '--out-dir=/tmp/x',
      ],
      {},
    )
    expect(options).toMatchObject({
      rows: 5000,
      runSeconds: 2.5,
      chunkSizes: [100, 1000],
      concurrencies: [1, 2],
      datasets: ['embeddings'],
      engines: ['wire'],
      sync: false,
      workers: 0,
      baselines: false,
      hosts: 'a:3000,b:3001',
      namespace: 'bar',
      setPrefix: 'ci_1',
      jsonPath: 'out.json',
      outDir: '/tmp/x',
    })
  })

  it('takes hosts from AEROSPIKE_HOSTS, and --hosts wins over it', () => {
    expect(parseArgs([], { AEROSPIKE_HOSTS: '127.0.0.1:3000' }).hosts).toBe('127.0.0.1:3000')
    expect(parseArgs(['--hosts', 'h:1'], { AEROSPIKE_HOSTS: '127.0.0.1:3000' }).hosts).toBe('h:1')
    expect(parseArgs([], { AEROSPIKE_HOSTS: '  ' }).hosts).toBeNull()
  })

  it.each([
    [['--rows', '0'], /--rows must be between 1/],
    [['--rows', '-5'], /--rows expects a whole number, got "-5"/],
    [['--rows', '1e3'], /--rows expects a whole number, got "1e3"/],
    [['--rows'], /--rows needs a value/],
    [['--run-seconds', '-1'], /--run-seconds expects seconds from 0 to 3600/],
    [['--run-seconds', 'soon'], /--run-seconds expects seconds/],
    [['--chunk-sizes', '100,,200'], /comma-separated list/],
    [['--chunk-sizes', '100,abc'], /whole number, got "abc"/],
    [['--concurrency', '2000'], /between 1 and 1024/],
    [['--dtype', 'images'], /--dtype must be sensor, embeddings or both, got "images"/],
    [['--engine', 'native'], /--engine must be official, wire or both/],
    [['--hosts', 'localhost'], /"localhost" is not host:port/],
    [['--hosts', 'h:70000'], /"h:70000" is not host:port/],
    [['--namespace', 'x'.repeat(32)], /--namespace must be 1..31 bytes/],
    [['--set-prefix', 'a b'], /--set-prefix must be 1..40/],
    [['--sync=yes'], /--sync takes no value/],
    [['--frobnicate'], /unknown flag "--frobnicate"/],
  ])('rejects %j clearly', (argv, message) => {
    expect(() => parseArgs(argv, {})).toThrow(UsageError)
    expect(() => parseArgs(argv, {})).toThrow(message)
  })

  it('names AEROSPIKE_HOSTS when that is what is wrong', () => {
    expect(() => parseArgs([], { AEROSPIKE_HOSTS: 'nope' })).toThrow(/AEROSPIKE_HOSTS: "nope"/)
  })
})

describe('parseHosts', () => {
  it('accepts IPv6-looking hosts by their last colon', () => {
    expect(parseHosts('::1:3000')).toBe('::1:3000')
  })
})
