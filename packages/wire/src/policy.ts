/**
 * Policy values as the official client numbers them (`Aerospike.policy`), and how a write's
 * policy turns into the AS_MSG info bits. The values are defined here, at the leaf, so that core
 * (which validates policies and re-exports these) and the request encoders share one set.
 */
import {
  INFO2_CREATE_ONLY,
  INFO2_DURABLE_DELETE,
  INFO2_GENERATION,
  INFO2_GENERATION_GT,
  INFO2_WRITE,
  INFO3_COMMIT_MASTER,
  INFO3_CREATE_OR_REPLACE,
  INFO3_REPLACE_ONLY,
  INFO3_UPDATE_ONLY,
} from './constants.js'

/** `policy.key`: send only the digest (default) or also the user key, stored with the record. */
export const POLICY_KEY_DIGEST = 0
export const POLICY_KEY_SEND = 1
/** `policy.exists` */
export const POLICY_EXISTS_IGNORE = 0
export const POLICY_EXISTS_CREATE = 1
export const POLICY_EXISTS_UPDATE = 2
export const POLICY_EXISTS_REPLACE = 3
export const POLICY_EXISTS_CREATE_OR_REPLACE = 4
/** `policy.gen` */
export const POLICY_GEN_IGNORE = 0
export const POLICY_GEN_EQ = 1
export const POLICY_GEN_GT = 2
/** `policy.commitLevel` */
export const POLICY_COMMIT_LEVEL_ALL = 0
export const POLICY_COMMIT_LEVEL_MASTER = 1
/** `policy.replica` */
export const POLICY_REPLICA_MASTER = 0
export const POLICY_REPLICA_ANY = 1
export const POLICY_REPLICA_SEQUENCE = 2
export const POLICY_REPLICA_PREFER_RACK = 3
/** `policy.readModeAP` */
export const POLICY_READ_MODE_AP_ONE = 0
export const POLICY_READ_MODE_AP_ALL = 1

/** The same values grouped as the official client's `Aerospike.policy`. */
export const policy = {
  key: { DIGEST: POLICY_KEY_DIGEST, SEND: POLICY_KEY_SEND },
  exists: {
    IGNORE: POLICY_EXISTS_IGNORE,
    CREATE: POLICY_EXISTS_CREATE,
    UPDATE: POLICY_EXISTS_UPDATE,
    REPLACE: POLICY_EXISTS_REPLACE,
    CREATE_OR_REPLACE: POLICY_EXISTS_CREATE_OR_REPLACE,
  },
  gen: { IGNORE: POLICY_GEN_IGNORE, EQ: POLICY_GEN_EQ, GT: POLICY_GEN_GT },
  commitLevel: { ALL: POLICY_COMMIT_LEVEL_ALL, MASTER: POLICY_COMMIT_LEVEL_MASTER },
  replica: {
    MASTER: POLICY_REPLICA_MASTER,
    ANY: POLICY_REPLICA_ANY,
    SEQUENCE: POLICY_REPLICA_SEQUENCE,
    PREFER_RACK: POLICY_REPLICA_PREFER_RACK,
  },
  readModeAP: { ONE: POLICY_READ_MODE_AP_ONE, ALL: POLICY_READ_MODE_AP_ALL },
} as const

/** The write-policy fields that become info bits. */
export interface WriteInfoPolicy {
  exists: number
  gen: number
  durableDelete: boolean
  commitLevel: number
}

/** info2 and info3 of a write with this policy (as the C client's as_command_write_header). */
export function writeInfoBits(policy: WriteInfoPolicy): { info2: number; info3: number } {
  let info2 = INFO2_WRITE
  let info3 = 0
  switch (policy.exists) {
    case POLICY_EXISTS_UPDATE:
      info3 |= INFO3_UPDATE_ONLY
      break
    case POLICY_EXISTS_CREATE_OR_REPLACE:
      info3 |= INFO3_CREATE_OR_REPLACE
      break
    case POLICY_EXISTS_REPLACE:
      info3 |= INFO3_REPLACE_ONLY
      break
    case POLICY_EXISTS_CREATE:
      info2 |= INFO2_CREATE_ONLY
      break
  }
  if (policy.gen === POLICY_GEN_EQ) info2 |= INFO2_GENERATION
  else if (policy.gen === POLICY_GEN_GT) info2 |= INFO2_GENERATION_GT
  if (policy.durableDelete) info2 |= INFO2_DURABLE_DELETE
  if (policy.commitLevel === POLICY_COMMIT_LEVEL_MASTER) info3 |= INFO3_COMMIT_MASTER
  return { info2, info3 }
}
