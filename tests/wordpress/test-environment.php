<?php
/**
 * Plugin Name: SpamGuard test environment
 * Description: Test only (WordPressAkismetPluginTests): trusts the test's CA for SpamGuard's certificate, refuses
 * every other outgoing request (the test runs offline), and records the requests that reached SpamGuard.
 */
add_filter( 'http_request_args', function ( $args, $url ) {
	if ( 0 === strpos( $url, SPAMGUARD_AKISMET_URL . '/' ) ) {
		$args['sslcertificates'] = getenv( 'SPAMGUARD_CA_FILE' );
	}
	return $args;
}, 10, 2 );

add_filter( 'pre_http_request', function ( $preempt, $args, $url ) {
	if ( false !== $preempt || 0 === strpos( $url, SPAMGUARD_AKISMET_URL . '/' ) ) {
		return $preempt;
	}
	return new WP_Error( 'offline', 'The test allows no request but to SpamGuard: ' . $url );
}, 100, 3 );

$GLOBALS['spamguard_test_calls'] = array();
add_action( 'http_api_debug', function ( $response, $context, $class, $args, $url ) {
	$GLOBALS['spamguard_test_calls'][] = array(
		'path'   => wp_parse_url( $url, PHP_URL_PATH ),
		'status' => is_wp_error( $response ) ? $response->get_error_message() : wp_remote_retrieve_response_code( $response ),
		'body'   => is_wp_error( $response ) ? '' : substr( wp_remote_retrieve_body( $response ), 0, 200 ),
	);
}, 10, 5 );
