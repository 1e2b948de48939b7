// A blog engine's spam check through SpamGuard's Akismet-compatible REST endpoint, with nothing but Node.js 18+ (fetch).
// Copy this file; set SPAMGUARD_URL (e.g. https://spamguard.example), SPAMGUARD_KEY (a site key from
// `spamguard keys create --site <blog>`) and SPAMGUARD_BLOG (the blog's URL the key was made for).
//
//   node akismet-client.mjs
//
// It verifies the key, checks one comment, and reports it as spam with the check's id (X-akismet-guid).
// Prints one JSON object per call; exits 1 on any failure.

const base = (process.env.SPAMGUARD_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '')
const key = process.env.SPAMGUARD_KEY ?? ''
const blog = process.env.SPAMGUARD_BLOG ?? 'https://blog.example/'
const timeoutMs = 10_000 // every call gets a deadline: a spam filter must never hang a comment form

async function akismet(call, fields) {
  const response = await fetch(`${base}/1.1/${call}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'MyBlog/1.0 | spamguard-example/1.0' },
    body: new URLSearchParams({ api_key: key, blog, ...fields }),
    signal: AbortSignal.timeout(timeoutMs),
  })
  const body = (await response.text()).trim()
  if (response.status !== 200 || body === 'invalid') {
    // Akismet's way to say why: the reason is in a header, the body is just "invalid".
    throw new Error(`${call}: HTTP ${response.status} ${body} ${response.headers.get('x-akismet-debug-help') ?? ''}`.trim())
  }
  return { body, guid: response.headers.get('x-akismet-guid'), proTip: response.headers.get('x-akismet-pro-tip') }
}

// The fields a blog has when a comment is posted. user_ip is required; SpamGuard pseudonymises it and never stores it raw.
const comment = {
  user_ip: '203.0.113.7',
  user_agent: 'Mozilla/5.0 (X11; Linux x86_64)',
  permalink: `${blog}2026/12/hello-world/`,
  comment_type: 'comment',
  comment_author: 'Prize Team',
  comment_author_email: 'winner@prizes.example',
  comment_content: process.argv[2] ?? 'WINNER!! Claim your free prize now, call 09061701461',
}

try {
  if (key) {
    const verify = await akismet('verify-key', {})
    console.log(JSON.stringify({ call: 'verify-key', answer: verify.body }))
  }

  const check = await akismet('comment-check', comment)
  // "true" = spam (hold it), "false" = ham (publish it); "discard" = blatant spam, safe to drop unseen.
  const verdict = check.body === 'true' ? (check.proTip === 'discard' ? 'discard' : 'spam') : 'ham'
  console.log(JSON.stringify({ call: 'comment-check', answer: check.body, verdict, guid: check.guid }))

  // When a moderator disagrees, report it with the same fields and the guid, so the check's record is the one learned.
  const report = await akismet(verdict === 'ham' ? 'submit-spam' : 'submit-ham', { ...comment, guid: check.guid ?? '' })
  console.log(JSON.stringify({ call: verdict === 'ham' ? 'submit-spam' : 'submit-ham', answer: report.body }))
} catch (error) {
  console.error(error.message)
  process.exit(1)
}
