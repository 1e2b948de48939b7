// Drives the real @cedx/akismet client (npm, ES module) against a SpamGuard server: the one client whose endpoint is
// a setting (baseUrl), so switching is exactly "change one URL". Started by SpamGuard.Server.Tests
// (AkismetNodeClientTests) with SPAMGUARD_URL (http://host:port/ of SpamGuard's HTTP endpoint), SPAMGUARD_KEY and
// SPAMGUARD_BLOG. Prints one JSON object with what the client saw; exits 0 when every call completed, 1 otherwise.
import { Author, Blog, CheckResult, Client, Comment } from '@cedx/akismet'

async function main() {
  const { SPAMGUARD_URL: url, SPAMGUARD_KEY: key, SPAMGUARD_BLOG: blogUrl } = process.env
  if (!url || !key || !blogUrl) throw new Error('SPAMGUARD_URL, SPAMGUARD_KEY and SPAMGUARD_BLOG are required')

  const blog = new Blog({ url: blogUrl, charset: 'UTF-8', languages: ['en'] })
  const client = new Client(key, blog, { baseUrl: url })
  const wrong = new Client('a'.repeat(12), blog, { baseUrl: url })
  const author = (name, email) => new Author({ name, email, ipAddress: '203.0.113.51', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' })
  const ham = new Comment({ author: author('Ada Reader', 'ada@example.net'), content: 'Thanks, a great article. I learned a lot from the section on caching.', type: 'comment' })
  const spam = new Comment({ author: author('viagra-test-123', 'x@example.net'), content: 'Nice post', type: 'comment' })
  const name = result => Object.keys(CheckResult).find(k => CheckResult[k] === result)

  const out = {}
  out.verifyKey = await client.verifyKey()
  out.verifyWrongKey = await wrong.verifyKey()
  out.ham = name(await client.checkComment(ham))
  out.spam = name(await client.checkComment(spam))
  await client.submitSpam(ham)
  out.submitSpam = 'accepted'
  await client.submitHam(spam)
  out.submitHam = 'accepted'
  return out
}

main().then(
  out => {
    process.stdout.write(JSON.stringify(out) + '\n')
    process.exit(0)
  },
  error => {
    process.stderr.write(String(error && error.stack || error) + '\n')
    process.exit(1)
  })
