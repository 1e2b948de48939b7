<?php
/**
 * Plugin Name: SpamGuard for Akismet
 * Description: Sends the Akismet plugin's API calls to SpamGuard instead of rest.akismet.com.
 */
// SpamGuard's HTTP endpoint, no trailing slash (or define SPAMGUARD_AKISMET_URL in wp-config.php).
defined( 'SPAMGUARD_AKISMET_URL' ) || define( 'SPAMGUARD_AKISMET_URL', 'https://spamguard.example.org' );

add_filter( 'pre_http_request', function ( $preempt, $args, $url ) {
	$to_akismet = 'rest.akismet.com' === wp_parse_url( $url, PHP_URL_HOST )
		// The plugin's connectivity check also posts to Akismet's IP addresses with this Host header.
		|| ( isset( $args['headers']['Host'] ) && 'rest.akismet.com' === $args['headers']['Host'] );
	if ( false !== $preempt || ! $to_akismet ) {
		return $preempt;
	}
	unset( $args['headers']['Host'] );
	return wp_remote_request( SPAMGUARD_AKISMET_URL . wp_parse_url( $url, PHP_URL_PATH ), $args );
}, 10, 3 );
