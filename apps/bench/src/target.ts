// Where the bench writes: the cluster named by --hosts / AEROSPIKE_HOSTS, or an embedded devserver.

import { startDevServer } from '@aerospike-numpy/devserver'
import { CLUSTER_NOTE, DEVSERVER_NOTE } from './report.js'

export interface Target {
  kind: 'devserver' | 'cluster'
  hosts: string
  note: string
  close(): Promise<void>
}

export async function openTarget(hosts: string | null, namespace: string): Promise<Target> {
  if (hosts !== null) {
    return { kind: 'cluster', hosts, note: CLUSTER_NOTE, close: async () => {} }
  }
  const server = await startDevServer({ namespaces: [namespace] })
  return {
    kind: 'devserver',
    hosts: server.hosts,
    note: DEVSERVER_NOTE,
    close: () => server.stop(),
  }
}
