// Checks one comment with SpamGuard over gRPC through stubs generated from protos/ (the recipe in docs/clients.md):
//
//   npm ci && npx buf generate ../../protos --template buf.gen.yaml && node check-comment.mjs [grpc-address] [text]
//
// The address defaults to http://127.0.0.1:50051 (cleartext HTTP/2). A site key, once keys exist, comes from
// SPAMGUARD_KEY. Prints the answer as JSON; exits 1 when the call fails.
import { createClient, ConnectError } from '@connectrpc/connect'
import { createGrpcTransport } from '@connectrpc/connect-node'
import { toJson } from '@bufbuild/protobuf'
import { CommentFilter, CheckCommentResponseSchema } from './gen/spamguard/v1/comment_filter_pb.js'

const baseUrl = process.argv[2] ?? 'http://127.0.0.1:50051'
const content = process.argv[3] ?? 'WINNER!! Claim your free prize now, call 09061701461'
const key = process.env.SPAMGUARD_KEY

const client = createClient(CommentFilter, createGrpcTransport({ baseUrl }))
const headers = key ? { authorization: `Bearer ${key}` } : {}

try {
  // A deadline on every call: a comment form must not hang because the filter is slow or away.
  const answer = await client.checkComment(
    { site: 'https://blog.example/', userIp: '203.0.113.7', author: 'Prize Team', content },
    { headers, timeoutMs: 5_000 },
  )
  console.log(JSON.stringify(toJson(CheckCommentResponseSchema, answer)))
} catch (error) {
  // ConnectError.code is the gRPC status (e.g. 3 InvalidArgument names the field in its message).
  console.error(error instanceof ConnectError ? `SpamGuard call failed: code ${error.code}: ${error.rawMessage}` : String(error))
  process.exit(1)
}
