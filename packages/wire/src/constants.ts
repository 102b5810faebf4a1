// Protocol names as the Aerospike C client (as_proto.h, as_command.h, as_bytes.h, as_status.h)
// and server (base/proto.h, base/batch.c) spell them.

// ---- proto header ----------------------------------------------------------------------------
export const AS_PROTO_VERSION = 2
export const AS_INFO_MESSAGE_TYPE = 1
export const AS_ADMIN_MESSAGE_TYPE = 2
export const AS_MESSAGE_TYPE = 3
export const AS_COMPRESSED_MESSAGE_TYPE = 4
export const PROTO_HEADER_SIZE = 8
/** The C client refuses frames whose body is larger than this. */
export const PROTO_SIZE_MAX = 128 * 1024 * 1024
/** The body of a proto `sz` field is 48 bits wide. */
export const PROTO_SIZE_FIELD_MAX = 2 ** 48 - 1
/** Commands longer than this are compressed when the client's `compress` policy is on. */
export const AS_COMPRESS_THRESHOLD = 128
/** The client's tend path accepts info replies up to this size. */
export const INFO_TEND_REPLY_MAX = 512 * 1024

// ---- AS_MSG header -----------------------------------------------------------------------------
export const MSG_HEADER_SIZE = 22
export const FIELD_HEADER_SIZE = 5 // u32 size + u8 type
export const OP_HEADER_SIZE = 8 // u32 size + op + particle type + flags + name_len
export const AS_BIN_NAME_MAX_LEN = 15

export const INFO1_READ = 0x01
export const INFO1_GET_ALL = 0x02
export const INFO1_SHORT_QUERY = 0x04
export const INFO1_BATCH_INDEX = 0x08
export const INFO1_XDR = 0x10
export const INFO1_GET_NOBINDATA = 0x20
export const INFO1_READ_MODE_AP_ALL = 0x40
export const INFO1_COMPRESS_RESPONSE = 0x80

export const INFO2_WRITE = 0x01
export const INFO2_DELETE = 0x02
export const INFO2_GENERATION = 0x04
export const INFO2_GENERATION_GT = 0x08
export const INFO2_DURABLE_DELETE = 0x10
export const INFO2_CREATE_ONLY = 0x20
export const INFO2_RELAX_AP_LONG_QUERY = 0x40
export const INFO2_RESPOND_ALL_OPS = 0x80

export const INFO3_LAST = 0x01
export const INFO3_COMMIT_MASTER = 0x02
export const INFO3_PARTITION_DONE = 0x04
export const INFO3_UPDATE_ONLY = 0x08
export const INFO3_CREATE_OR_REPLACE = 0x10
export const INFO3_REPLACE_ONLY = 0x20
export const INFO3_SC_READ_TYPE = 0x40
export const INFO3_SC_READ_RELAX = 0x80

export const INFO4_TXN_VERIFY_READ = 0x01
export const INFO4_TXN_ROLL_FORWARD = 0x02
export const INFO4_TXN_ROLL_BACK = 0x04
export const INFO4_TXN_ON_LOCKING_ONLY = 0x10

// ---- fields ------------------------------------------------------------------------------------
export const FIELD_NAMESPACE = 0
export const FIELD_SETNAME = 1
export const FIELD_KEY = 2
export const FIELD_RECORD_VERSION = 3
export const FIELD_DIGEST_RIPE = 4
export const FIELD_MRT_ID = 5
export const FIELD_MRT_DEADLINE = 6
export const FIELD_TRID = 7
export const FIELD_SOCKET_TIMEOUT = 9
export const FIELD_RECORDS_PER_SECOND = 10
export const FIELD_PID_ARRAY = 11
export const FIELD_DIGEST_ARRAY = 12
export const FIELD_MAX_RECORDS = 13
export const FIELD_BVAL_ARRAY = 15
export const FIELD_INDEX_NAME = 21
export const FIELD_INDEX_RANGE = 22
export const FIELD_INDEX_CONTEXT = 23
export const FIELD_INDEX_EXPRESSION = 24
export const FIELD_INDEX_TYPE = 26
export const FIELD_UDF_PACKAGE_NAME = 30
export const FIELD_UDF_FUNCTION = 31
export const FIELD_UDF_ARGLIST = 32
export const FIELD_UDF_OP = 33
export const FIELD_QUERY_BINS = 40
export const FIELD_BATCH_INDEX = 41
export const FIELD_BATCH_INDEX_WITH_SET = 42
export const FIELD_FILTER = 43

export const DIGEST_SIZE = 20

// ---- ops (wire codes, as_protocol_types[] in as_command.c) -----------------------------------
export const AS_MSG_OP_READ = 1
export const AS_MSG_OP_WRITE = 2
export const AS_MSG_OP_CDT_READ = 3
export const AS_MSG_OP_CDT_MODIFY = 4
export const AS_MSG_OP_INCR = 5
export const AS_MSG_OP_EXP_READ = 7
export const AS_MSG_OP_EXP_MODIFY = 8
export const AS_MSG_OP_APPEND = 9
export const AS_MSG_OP_PREPEND = 10
export const AS_MSG_OP_TOUCH = 11
export const AS_MSG_OP_BITS_READ = 12
export const AS_MSG_OP_BITS_MODIFY = 13
export const AS_MSG_OP_DELETE_ALL = 14
export const AS_MSG_OP_HLL_READ = 15
export const AS_MSG_OP_HLL_MODIFY = 16

/** Ops that modify the record (as_op_is_write[] in as_operations.c). */
export const WRITE_OPS: ReadonlySet<number> = new Set([
  AS_MSG_OP_WRITE,
  AS_MSG_OP_CDT_MODIFY,
  AS_MSG_OP_INCR,
  AS_MSG_OP_EXP_MODIFY,
  AS_MSG_OP_APPEND,
  AS_MSG_OP_PREPEND,
  AS_MSG_OP_TOUCH,
  AS_MSG_OP_BITS_MODIFY,
  AS_MSG_OP_DELETE_ALL,
  AS_MSG_OP_HLL_MODIFY,
])

// ---- particle types (as_bytes_type in aerospike-common as_bytes.h) ----------------------------
export const PARTICLE_NIL = 0
export const PARTICLE_INTEGER = 1
export const PARTICLE_FLOAT = 2
export const PARTICLE_STRING = 3
export const PARTICLE_BLOB = 4
export const PARTICLE_JAVA_BLOB = 7
export const PARTICLE_CSHARP_BLOB = 8
export const PARTICLE_PYTHON_BLOB = 9
export const PARTICLE_RUBY_BLOB = 10
export const PARTICLE_PHP_BLOB = 11
export const PARTICLE_ERLANG_BLOB = 12
export const PARTICLE_VECTOR = 16
export const PARTICLE_BOOL = 17
export const PARTICLE_HLL = 18
export const PARTICLE_MAP = 19
export const PARTICLE_LIST = 20
export const PARTICLE_GEOJSON = 23

// ---- batch index (aerospike_batch.c, server batch.c) ---------------------------------------------
/** Row flags byte. 0 is the old format ("BATCH_MSG_READ"): only info1 follows. */
export const BATCH_MSG_READ = 0x00
export const BATCH_MSG_REPEAT = 0x01
export const BATCH_MSG_INFO = 0x02
export const BATCH_MSG_GEN = 0x04
export const BATCH_MSG_TTL = 0x08
export const BATCH_MSG_INFO4 = 0x10

/** Parent flags byte, after n_rows in the BATCH_INDEX field. */
export const BATCH_FLAG_INLINE_DATA_IN_MEMORY = 0x01 // allowInline
export const BATCH_FLAG_INLINE_DATA_ON_DEVICE = 0x02 // allowInlineSSD
export const BATCH_FLAG_REPORT_ALL_ERRORS = 0x04 // respondAllKeys
export const BATCH_FLAG_REPORT_ERROR_REC = 0x08 // always set by the C client 7.x
/** What the C client sends with default policies (allowInline, respondAllKeys). */
export const BATCH_FLAGS_DEFAULT = 0x0d

/** index(4) + digest(20) + flags(1). */
export const BATCH_ROW_REPEAT_SIZE = 25

// ---- partitions, time ----------------------------------------------------------------------------
export const N_PARTITIONS = 4096
/** 2010-01-01T00:00:00Z in Unix seconds; void times count from here. */
export const CITRUSLEAF_EPOCH = 1262304000

/** Request record_ttl: use the namespace default. */
export const TTL_NAMESPACE_DEFAULT = 0
/** Request record_ttl: never expire (-1 as u32). */
export const TTL_NEVER_EXPIRE = 0xffffffff
/** Request record_ttl: keep the record's current expiry (-2 as u32). */
export const TTL_DONT_UPDATE = 0xfffffffe
/** Client-side placeholder (-3 as u32), replaced by the policy's TTL before sending. */
export const TTL_CLIENT_DEFAULT = 0xfffffffd
