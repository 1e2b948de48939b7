# Drives Debian's ruby-akismet 3.0.0 against a SpamGuard server over TLS, as a blog that loaded
# spamguard_akismet.rb would. Started by SpamGuard.Server.Tests (RubyAkismetTests) with:
#   SPAMGUARD_AKISMET_URL  https://spamguard.test:<port> (read by spamguard_akismet.rb)
#   SPAMGUARD_KEY          a site key for SPAMGUARD_BLOG
#   SPAMGUARD_BLOG         the blog URL the key is for
#   SSL_CERT_FILE          the test's CA, which signed SpamGuard's certificate for spamguard.test and *.spamguard.test
#   SPAMGUARD_EXTRA_HAM_CHECKS  how many ham checks to add at the end (default 0)
# Prints one JSON object with what the client answered.
require 'json'
require 'akismet'
require_relative 'spamguard_akismet'

# Only name resolution changes, as a hosts file or DNS would do it: spamguard.test and *.spamguard.test reach the
# loopback server. TLS still checks the certificate against the name the client built ({key}.spamguard.test).
module LoopbackResolution
  def connect
    self.ipaddr = '127.0.0.1' if address == 'spamguard.test' || address.end_with?('.spamguard.test')
    super
  end
end
Net::HTTP.prepend(LoopbackResolution)

key = ENV.fetch('SPAMGUARD_KEY')
blog = ENV.fetch('SPAMGUARD_BLOG')
client = Akismet::Client.new(key, blog, app_name: 'SpamGuardTest', app_version: '1')
wrong = Akismet::Client.new('0123456789ab', blog)

ip = '203.0.113.78'
agent = 'Mozilla/5.0 (X11; Linux x86_64)'
base = { post_url: "#{blog}2026/11/a-post", type: 'comment' }
out = {}
out[:verified] = client.verify_key
out[:wrongKeyVerified] = wrong.verify_key
out[:spam] = client.check(ip, agent, base.merge(author: 'viagra-test-123', text: 'Nice post'))
out[:ham] = client.check(ip, agent, base.merge(author: 'Ada Reader', author_email: 'ada@example.net', text: 'Thanks, a great article.'))
# submit-spam raises unless SpamGuard thanks it.
client.spam(ip, agent, base.merge(author: 'Sam', text: 'slipped through & kept a=b'))
out[:reported] = true
begin
  wrong.check(ip, agent, base.merge(author: 'Sam', text: 'hello'))
  out[:wrongKeyCheck] = 'answered'
rescue Akismet::Error => e
  out[:wrongKeyCheck] = e.message
end
# Past the key's rate limit (when the test sets one), more ham checks: SpamGuard holds them as spam.
out[:extraHam] = (1..ENV.fetch('SPAMGUARD_EXTRA_HAM_CHECKS', '0').to_i).map do |n|
  client.check(ip, agent, base.merge(author: "Reader #{n}", author_email: "reader#{n}@example.net", text: 'Thanks, a great article.'))
end
puts JSON.generate(out)
