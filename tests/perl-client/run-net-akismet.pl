#!/usr/bin/perl
# Drives Debian's Net::Akismet (libnet-akismet-perl 0.05) against a SpamGuard server, as a blog configured with
# SERVICE_HOST => 'spamguard.test:<port>' would (docs/akismet-clients.md). Started by SpamGuard.Server.Tests
# (PerlNetAkismetTests) with:
#   SPAMGUARD_PORT   port of SpamGuard's HTTP endpoint on 127.0.0.1
#   SPAMGUARD_KEY    a site key for SPAMGUARD_BLOG
#   SPAMGUARD_BLOG   the blog URL the key is for
#   SPAMGUARD_CALLS  how many spam and ham checks to make (the server allows fewer)
# Prints one JSON object with what the client answered.
use strict;
use warnings;
use JSON::PP;
use LWP::UserAgent;
use Net::Akismet;

my $port = $ENV{SPAMGUARD_PORT} or die "SPAMGUARD_PORT is required\n";
my $key  = $ENV{SPAMGUARD_KEY}  or die "SPAMGUARD_KEY is required\n";
my $blog = $ENV{SPAMGUARD_BLOG} or die "SPAMGUARD_BLOG is required\n";
my $calls = $ENV{SPAMGUARD_CALLS} || 3;

# Only name resolution changes, as a hosts file or a proxy would do it: every *.spamguard.test name reaches the
# loopback server, and the Host header keeps the name the client built ({key}.spamguard.test), key included.
my $send = \&LWP::UserAgent::request;
{
    no warnings 'redefine';
    *LWP::UserAgent::request = sub {
        my ($ua, $request, @rest) = @_;
        my $uri = $request->uri->clone;
        if ($uri->host =~ /(?:^|\.)spamguard\.test\z/) {
            $request->header(Host => $uri->host_port);
            $uri->host('127.0.0.1');
            $request->uri($uri);
        }
        return $send->($ua, $request, @rest);
    };
}

my %server = (URL => $blog, SERVICE_HOST => "spamguard.test:$port");
my $akismet = Net::Akismet->new(KEY => $key, %server);
my $wrong = Net::Akismet->new(KEY => '0123456789ab', %server);
die "Net::Akismet could not verify the key\n" unless $akismet;

my %base = (USER_IP => '203.0.113.77', COMMENT_USER_AGENT => 'Mozilla/5.0', PERMALINK => "${blog}2026/11/a-post", COMMENT_TYPE => 'comment');
my %spam = (%base, COMMENT_AUTHOR => 'viagra-test-123', COMMENT_CONTENT => 'Nice post');
my %ham = (%base, COMMENT_AUTHOR => 'Ada Reader', COMMENT_AUTHOR_EMAIL => 'ada@example.net', COMMENT_CONTENT => 'Thanks, a great article.');

my $reported = $akismet->spam(%base, COMMENT_AUTHOR => 'Sam', COMMENT_CONTENT => 'slipped through') ? JSON::PP::true : JSON::PP::false;
my (@spam, @ham);
for (1 .. $calls) {
    push @spam, $akismet->check(%spam) // 'undef';
    push @ham, $akismet->check(%ham) // 'undef';
}

print encode_json({
    verified        => JSON::PP::true,
    wrongKeyRefused => defined $wrong ? JSON::PP::false : JSON::PP::true,
    reported        => $reported,
    spam            => \@spam,
    ham             => \@ham,
}), "\n";
