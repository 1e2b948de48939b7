'use strict'
// Drives the real akismet-api client (npm) against a SpamGuard server, as a blog would after changing one URL.
// Started by SpamGuard.Server.Tests (AkismetNodeClientTests) with:
//   SPAMGUARD_HOST   host:port of SpamGuard's HTTP endpoint (e.g. localhost:8080)
//   SPAMGUARD_KEY    a site key for SPAMGUARD_BLOG
//   SPAMGUARD_BLOG   the blog URL the key is for
// Prints one JSON object with what the client saw; exits 0 when every call completed, 1 otherwise.
const dns = require('dns')
const superagent = require('superagent')
const { AkismetClient } = require('akismet-api')

// akismet-api puts the key in the host name ({key}.{host}), as Akismet's legacy endpoints do. A deployment puts
// SpamGuard behind a wildcard DNS name; here "*.localhost" must reach the loopback server. Only name resolution is
// changed: the client still sends "Host: {key}.localhost:port".
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

// The client returns only true/false; the test also needs the headers it received (X-akismet-pro-tip, guid).
const responses = []
const endAsync = superagent.Request.prototype.endAsync
superagent.Request.prototype.endAsync = function () {
  return endAsync.apply(this, arguments).then(res => {
    responses.push({ url: this.url, status: res.status, headers: res.header, text: res.text })
    return res
  })
}
const last = () => responses[responses.length - 1]

async function main() {
  const host = process.env.SPAMGUARD_HOST
  const key = process.env.SPAMGUARD_KEY
  const blog = process.env.SPAMGUARD_BLOG
  if (!host || !key || !blog) throw new Error('SPAMGUARD_HOST, SPAMGUARD_KEY and SPAMGUARD_BLOG are required')

  const client = new AkismetClient({ key, blog, host, protocol: 'http' })
  const wrong = new AkismetClient({ key: 'sg' + 'a'.repeat(52), blog, host, protocol: 'http' })
  const base = { ip: '203.0.113.50', useragent: 'Mozilla/5.0 (X11; Linux x86_64)', permalink: blog + '2026/11/a-post', type: 'comment' }
  const ham = { ...base, name: 'Ada Reader', email: 'ada@example.net', content: 'Thanks, a great article. I learned a lot from the section on caching.' }
  const spam = { ...base, name: 'viagra-test-123', email: 'x@example.net', content: 'Nice post' }
  const blatant = { ...base, name: 'Best Pills', email: 'deals@pills.example', content: process.env.SPAMGUARD_BLATANT || 'viagra casino pills cheap' }

  const out = {}
  out.verifyKey = await client.verifyKey()
  out.verifyWrongKey = await wrong.verifyKey()
  out.verifyWrongKeyHelp = last().headers['x-akismet-debug-help'] || null
  out.ham = await client.checkSpam(ham)
  out.hamGuid = last().headers['x-akismet-guid'] || null
  out.spam = await client.checkSpam(spam)
  out.spamProTip = last().headers['x-akismet-pro-tip'] || null
  out.blatant = await client.checkSpam(blatant)
  out.blatantProTip = last().headers['x-akismet-pro-tip'] || null
  try {
    await wrong.checkSpam(ham)
    out.wrongKeyCheck = 'accepted'
  } catch (error) {
    out.wrongKeyCheck = error.message
  }
  await client.submitSpam(ham)
  out.submitSpam = last().text
  await client.submitHam(spam)
  out.submitHam = last().text
  out.hostsSeen = [...new Set(responses.map(r => new URL(r.url).hostname.split('.')[0] === key ? '{key}.' + host.split(':')[0] : new URL(r.url).hostname))]
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
