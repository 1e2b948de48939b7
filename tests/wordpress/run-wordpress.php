<?php
/*
 * Drives WordPress (Debian's wordpress package, 6.1) and its bundled Akismet plugin (5.0.2) against a SpamGuard
 * server, from php-cli, without a web server. Started by SpamGuard.Server.Tests (WordPressAkismetPluginTests), once
 * per step:
 *   php run-wordpress.php install   installs WordPress into the database and activates the Akismet plugin
 *   php run-wordpress.php run       saves the key, posts, checks and reports comments, reads the stats and
 *                                   deactivates the plugin, each through the plugin's own code
 *   php run-wordpress.php rate-limited   posts two comments under a key whose rate limit allows one check
 * with:
 *   WORDPRESS_DIR          WordPress's files (/usr/share/wordpress)
 *   WORDPRESS_MU_PLUGINS   a directory holding spamguard-akismet.php and test-environment.php
 *   WORDPRESS_DB_SOCKET    the socket of a MariaDB server that has a database "wordpress"
 *   SPAMGUARD_AKISMET_URL  SpamGuard's HTTPS endpoint, read by the mu-plugin
 *   SPAMGUARD_CA_FILE      the CA that signed SpamGuard's certificate
 *   SPAMGUARD_KEY          a site key for https://blog.example.org/
 * The "run" and "rate-limited" steps print one JSON object with what the plugin did.
 */
if ( PHP_SAPI !== 'cli' ) {
	exit( 1 );
}
$step = $argv[1] ?? '';

// What wp-config.php would hold (Debian's reads /etc/wordpress/config-<host>.php, which a test must not write).
$_SERVER['HTTP_HOST']       = 'blog.example.org';
$_SERVER['SERVER_NAME']     = 'blog.example.org';
$_SERVER['REQUEST_URI']     = '/';
$_SERVER['REQUEST_METHOD']  = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
define( 'ABSPATH', rtrim( getenv( 'WORDPRESS_DIR' ), '/' ) . '/' );
define( 'WPMU_PLUGIN_DIR', getenv( 'WORDPRESS_MU_PLUGINS' ) );
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'root' );
define( 'DB_PASSWORD', '' );
define( 'DB_HOST', 'localhost:' . getenv( 'WORDPRESS_DB_SOCKET' ) );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
define( 'WP_HOME', 'https://blog.example.org' );
define( 'WP_SITEURL', 'https://blog.example.org' );
define( 'DISABLE_WP_CRON', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'SPAMGUARD_AKISMET_URL', getenv( 'SPAMGUARD_AKISMET_URL' ) );
$table_prefix = 'wp_';
if ( 'install' === $step ) {
	define( 'WP_INSTALLING', true );
}

require ABSPATH . 'wp-settings.php';

function spamguard_fail( $message ) {
	fwrite( STDERR, $message . "\n" );
	exit( 1 );
}

if ( 'install' === $step ) {
	require_once ABSPATH . 'wp-admin/includes/upgrade.php';
	require_once ABSPATH . 'wp-admin/includes/plugin.php';
	$installed = wp_install( 'SpamGuard test blog', 'admin', 'admin@blog.example.org', false, '', wp_generate_password( 24 ) );
	if ( empty( $installed['user_id'] ) ) {
		spamguard_fail( 'wp_install did not create the admin user' );
	}
	$activated = activate_plugin( 'akismet/akismet.php' );
	if ( is_wp_error( $activated ) ) {
		spamguard_fail( 'activate_plugin: ' . $activated->get_error_message() );
	}
	exit( 0 );
}

if ( 'run' !== $step && 'rate-limited' !== $step ) {
	spamguard_fail( 'usage: php run-wordpress.php install|run|rate-limited' );
}
if ( ! class_exists( 'Akismet' ) ) {
	spamguard_fail( 'the Akismet plugin is not active' );
}
require_once WP_PLUGIN_DIR . '/akismet/class.akismet-admin.php';

$key = getenv( 'SPAMGUARD_KEY' );
$out = array( 'plugin' => AKISMET_VERSION, 'wordpress' => $GLOBALS['wp_version'] );

// Comments posted as a visitor would: wp_new_comment runs the plugin's preprocess_comment filter (comment-check).
function spamguard_post_comment( $ip, $author, $email, $content ) {
	$_SERVER['REMOTE_ADDR']     = $ip;
	$_SERVER['HTTP_USER_AGENT'] = 'Mozilla/5.0 (X11; Linux x86_64)';
	$id = wp_new_comment( array(
		'comment_post_ID'      => 1,
		'comment_author'       => $author,
		'comment_author_email' => $email,
		'comment_author_url'   => '',
		'comment_content'      => $content,
		'comment_type'         => 'comment',
		'comment_parent'       => 0,
		'user_id'              => 0,
	), true );
	if ( is_wp_error( $id ) ) {
		spamguard_fail( 'wp_new_comment: ' . $id->get_error_message() );
	}
	return array(
		'id'       => $id,
		'approved' => get_comment( $id )->comment_approved,
		'result'   => get_comment_meta( $id, 'akismet_result', true ),
		'history'  => wp_list_pluck( get_comment_meta( $id, 'akismet_history', false ), 'event' ),
	);
}

if ( 'rate-limited' === $step ) {
	// Two ham comments, the second past the key's rate limit: the plugin must hold it and show SpamGuard's alert.
	update_option( 'wordpress_api_key', $key );
	$out['first']     = spamguard_post_comment( '203.0.113.83', 'Ada Reader', 'ada@example.net', 'Thanks, a great article.' );
	$out['second']    = spamguard_post_comment( '203.0.113.84', 'Bob Reader', 'bob@example.net', 'I enjoyed the part on caching.' );
	$out['alertCode'] = get_option( 'akismet_alert_code' );
	$out['alertMsg']  = get_option( 'akismet_alert_msg' );
	$out['calls']     = $GLOBALS['spamguard_test_calls'];
	echo wp_json_encode( $out ), "\n";
	exit( 0 );
}

// Settings → Akismet: the plugin's own key check (12 characters), verify-key, then get-subscription.
$out['verifyKey']      = Akismet::verify_key( $key );
$out['verifyWrongKey'] = Akismet::verify_key( '0123456789ab' );
Akismet_Admin::save_key( $key );
$out['savedKey'] = get_option( 'wordpress_api_key' );

$spam = spamguard_post_comment( '203.0.113.81', 'viagra-test-123', 'x@example.net', 'Nice post' );
$ham  = spamguard_post_comment( '203.0.113.82', 'Ada Reader', 'ada@example.net', 'Thanks, a great article.' );
$out['spam'] = $spam;
$out['ham']  = $ham;

// The moderator marks the ham comment as spam in wp-admin (the AJAX "Spam" link): the plugin sends submit-spam.
add_action( 'akismet_submit_spam_comment', function ( $comment_id, $answer ) use ( &$out ) {
	$out['submitSpam'] = array( 'id' => $comment_id, 'answer' => $answer );
}, 10, 2 );
wp_set_current_user( 1 );
$_POST['spam'] = 1;
wp_spam_comment( $ham['id'] );
$out['reportedResult'] = get_comment_meta( $ham['id'], 'akismet_user_result', true );

// The moderator then frees the spam comment ("Not Spam"): the plugin sends submit-ham.
add_action( 'akismet_submit_nonspam_comment', function ( $comment_id, $answer ) use ( &$out ) {
	$out['submitHam'] = array( 'id' => $comment_id, 'answer' => $answer );
}, 10, 2 );
$_POST = array( 'unspam' => 1 );
wp_unspam_comment( $spam['id'] );
$out['freedResult'] = get_comment_meta( $spam['id'], 'akismet_user_result', true );

// Settings → Akismet: the connectivity check (GET /1.1/test) and the stats page (get-stats, 6 months and all time).
$out['connected'] = Akismet_Admin::check_server_connectivity();
$stats            = Akismet_Admin::get_stats( $key );
$out['stats']     = $stats['all'] ?? null;

// Plugins → Deactivate: the plugin's deactivation hook tells the server (deactivate).
require_once ABSPATH . 'wp-admin/includes/plugin.php';
deactivate_plugins( 'akismet/akismet.php' );
$out['activeAfterDeactivation'] = is_plugin_active( 'akismet/akismet.php' );

$out['calls'] = $GLOBALS['spamguard_test_calls'];
echo wp_json_encode( $out ), "\n";
