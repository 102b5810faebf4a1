import { describe, expect, it } from 'vitest'
import { parsePeers } from './peers.js'

describe('parsePeers', () => {
  it('reads the server format: generation, default port, peers with hosts', () => {
    expect(parsePeers('1,3000,[]')).toEqual({ generation: 1, peers: [] })
    expect(parsePeers('7,,[]')).toEqual({ generation: 7, peers: [] })
    expect(
      parsePeers(
        '12,3100,[[BB9000000000002,,[10.0.0.2:3001,[2001:db8::1]:4000]],[BB9000000000003,tls1,[h3]]]',
      ),
    ).toEqual({
      generation: 12,
      peers: [
        {
          name: 'BB9000000000002',
          tlsName: '',
          hosts: [
            { host: '10.0.0.2', port: 3001 },
            { host: '2001:db8::1', port: 4000 },
          ],
        },
        { name: 'BB9000000000003', tlsName: 'tls1', hosts: [{ host: 'h3', port: 3100 }] },
      ],
    })
  })

  it('names the character where a bad reply goes wrong', () => {
    const bad: [string, RegExp][] = [
      ['', /expected a number at character 0/],
      ['x,3000,[]', /expected a number at character 0/],
      ['1;3000,[]', /expected ',' at character 1/],
      ['1,3000,[', /expected '\[' at character 8/],
      ['1,3000,[]]', /expected the end of the reply at character 9/],
      ['1,3000,[[A,,[h:0]]]', /port number 1..65535/],
      ['1,3000,[[A,,[h:99999]]]', /port number 1..65535/],
      ['1,3000,[[,,[h]]]', /expected a node name/],
      ['1,3000,[[A,,[h]]', /expected ','/],
      ['1,3000,[[A', /',' after the node name/],
      ['1,3000,[[A,,[[::1]]', /'\]'/],
    ]
    for (const [text, pattern] of bad) expect(() => parsePeers(text), text).toThrow(pattern)
  })
})
