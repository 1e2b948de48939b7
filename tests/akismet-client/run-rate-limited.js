'use strict'
// Drives two real npm Akismet clients, akismet-api and akismet (the package named "akismet"), against a SpamGuard
// server whose per-key rate limit is tiny, as blogs that only changed the host. Started by SpamGuard.Server.Tests
// (AkismetNodeClientTests) with:
//   SPAMGUARD_HOST         host:port of SpamGuard's HTTP endpoint (e.g. localhost:8080)
//   SPAMGUARD_KEY          a site key for SPAMGUARD_BLOG, used by akismet-api
//   SPAMGUARD_KEY_2        another key for SPAMGUARD_BLOG, used by akismet (its own budget)
//   SPAMGUARD_BLOG         the blog URL the keys are for
//   SPAMGUARD_CALLS        how many checks each client makes (the server allows fewer)
// Prints one JSON object with what each client answered; exits 0 when every call completed, 1 otherwise.
const dns = require('dns')
const superagent = require('superagent')
const { AkismetClient } = require('akismet-api')
const akismet = require('akismet')

// As in run-client.js: "*.localhost" reaches the loopback server (a deployment uses a wildcard DNS name).
const systemLookup = dns.lookup
dns.lookup = function (hostname, options, callback) {
  if (typeof options === 'function') {
    callback = options
    options = {}
  }
  const opts = typeof options === 'number' ? { family: options } : options || {}
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    return process.nextTick(() => (opts.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4)))
  }
  return systemLookup.call(dns, hostname, options, callback)
}

// akismet-api returns only true/false: keep the headers it received (the alert headers under the limit).
const headers = []
const endAsync = superagent.Request.prototype.endAsync
superagent.Request.prototype.endAsync = function () {
  return endAsync.apply(this, arguments).then(res => {
    headers.push(res.header)
    return res
  })
}

async function main() {
  const [host, port] = (process.env.SPAMGUARD_HOST || '').split(':')
  const key = process.env.SPAMGUARD_KEY
  const key2 = process.env.SPAMGUARD_KEY_2
  const blog = process.env.SPAMGUARD_BLOG
  const calls = Number(process.env.SPAMGUARD_CALLS || '6')
  if (!host || !port || !key || !key2 || !blog) throw new Error('SPAMGUARD_HOST, SPAMGUARD_KEY, SPAMGUARD_KEY_2 and SPAMGUARD_BLOG are required')

  // Each client's settings as docs/akismet-clients.md gives them: akismet-api takes the host and puts the key in
  // front of it; akismet sends verify-key to host but every other call to endPoint, with the key only in that name
  // (not in the form), so endPoint must be "{key}.host". Both names must resolve: *.localhost does here.
  const api = new AkismetClient({ key, blog, host: `localhost:${port}`, protocol: 'http' })
  const plain = akismet.client({ blog, apiKey: key2, host: 'localhost', endPoint: `${key2}.localhost`, port: Number(port) })
  const spam = { user_ip: '203.0.113.66', user_agent: 'Mozilla/5.0', permalink: blog + '2026/11/a-post', comment_type: 'comment',
    comment_author: 'viagra-test-123', comment_author_email: 'x@example.net', comment_content: 'Nice post' }
  const ham = { ...spam, comment_author: 'Ada Reader', comment_author_email: 'ada@example.net', comment_content: 'Thanks, a great article.' }
  const apiComment = c => ({ ip: c.user_ip, useragent: c.user_agent, permalink: c.permalink, type: c.comment_type,
    name: c.comment_author, email: c.comment_author_email, content: c.comment_content })
  const plainCheck = c => new Promise((resolve, reject) => plain.checkComment({ ...c }, (err, isSpam) => err ? reject(err) : resolve(isSpam)))

  const out = { api: { spam: [], ham: [], alertCodes: [], unscored: [] }, plain: { spam: [], ham: [] } }
  out.api.verifyKey = await api.verifyKey()
  out.plain.verifyKey = await new Promise((resolve, reject) => plain.verifyKey((err, ok) => err ? reject(err) : resolve(ok)))
  for (let i = 0; i < calls; i++) {
    // Spam first, then ham, so the last answers of each list are the ones over the limit.
    for (const [name, comment] of [['spam', spam], ['ham', ham]]) {
      try {
        out.api[name].push(await api.checkSpam(apiComment(comment)))
      } catch (error) {
        out.api[name].push('error: ' + error.message)
      }
      const seen = headers[headers.length - 1] || {}
      out.api.alertCodes.push(seen['x-akismet-alert-code'] || null)
      out.api.unscored.push(seen['x-spamguard-unscored'] || null)
      out.plain[name].push(await plainCheck(comment).catch(error => 'error: ' + error.message))
    }
  }
  return out
}

main().then(
  out => {
    process.stdout.write(JSON.stringify(out) + '\n')
    process.exit(0)
  },
  error => {
    process.stdout.write(JSON.stringify({ error: String(error && error.stack || error) }) + '\n')
    process.exit(1)
  }
)
