package dev.gatehouse.server.testing.keycloak;

/**
 * The tokens of one Keycloak token response.
 *
 * @param accessToken  the access token
 * @param idToken      the ID token; {@code null} unless scope {@code openid} was granted
 * @param refreshToken the refresh token, or {@code null}
 */
public record Tokens(String accessToken, String idToken, String refreshToken) {}
