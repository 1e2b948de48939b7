# Sends ruby-akismet 3.x (Debian's ruby-akismet, the "akismet" gem) to SpamGuard instead of Akismet. The client
# hard-codes https://rest.akismet.com for verify-key and https://{key}.rest.akismet.com for every other call, with
# the key only in that host name. This keeps the key label and swaps the rest of the name for SpamGuard's, so
# publish a wildcard DNS name *.spamguard.example.org (and a certificate for it) pointing at SpamGuard.
# Load it once after `require 'akismet'`, e.g. from config/initializers/akismet.rb. Copied by docs/akismet-clients.md,
# and loaded as it is by SpamGuard.Server.Tests (RubyAkismetTests).
require 'net/http'
require 'uri'

module SpamGuardAkismet
  # SpamGuard's HTTPS endpoint (a port other than 443 may be given).
  URL = URI(ENV.fetch('SPAMGUARD_AKISMET_URL', 'https://spamguard.example.org'))

  module ToSpamGuard
    AKISMET_HOST = /\A(?:([a-z0-9]+)\.)?rest\.akismet\.com\z/i

    def new(address, port = nil, *rest)
      if (match = AKISMET_HOST.match(address.to_s))
        address = [match[1], URL.host].compact.join('.')
        port = URL.port
      end
      super(address, port, *rest)
    end
  end

  Net::HTTP.singleton_class.prepend(ToSpamGuard)
end
