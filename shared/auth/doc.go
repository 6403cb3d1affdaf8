// Package auth authenticates Flowhook API requests: bearer tokens of two scopes, the
// scope each route needs, the local token file, and the logic of the AWS Lambda
// authorizer. It imports only the standard library; the Lambda wiring lives in
// functions/authorizer.
//
// # Scopes
//
// An ingest token may call only POST /events. An admin token may call every other
// route (GET /events included) but not POST /events: scopes do not nest, so a leaked
// token of either kind does only its own job. GET /healthz needs no token.
//
// # Tokens
//
// A token is "fh_" + scope + "_" + 64 lowercase hex digits (32 random bytes), e.g.
// fh_ingest_9f86d0…; the prefix makes a token's purpose readable in a config file and
// lets secret scanners find it. The server keeps only SHA-256 hashes, compares them in
// constant time, and also requires the prefix to match the scope the hash is listed
// under.
//
// Locally the runner calls [LoadOrCreateTokens]: the tokens live in
// $FLOWHOOK_DATA_DIR/tokens.json as {"admin": "…", "ingest": "…"}, mode 0600, created on
// first start and reused after.
//
// # The tokens secret in AWS
//
// The authorizer reads the hashes from a Secrets Manager secret named by the
// FLOWHOOK_TOKENS_SECRET environment variable, holding
//
//	{"admin": ["<sha256 hex of an admin token>", …], "ingest": ["<sha256 hex>", …]}
//
// Several hashes per scope allow rotation: add the new token's hash, move clients to
// it, remove the old hash. The authorizer caches the secret for up to
// FLOWHOOK_TOKENS_CACHE_TTL (default 5m), so a change takes effect within that time.
// [HashesJSON] produces the JSON from [Tokens]. An operator with a shell creates it so:
//
//	ADMIN="fh_admin_$(openssl rand -hex 32)"
//	INGEST="fh_ingest_$(openssl rand -hex 32)"
//	hash() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
//	aws secretsmanager create-secret --name flowhook/api-tokens \
//	  --description "Flowhook API token hashes" \
//	  --secret-string "{\"admin\":[\"$(hash "$ADMIN")\"],\"ingest\":[\"$(hash "$INGEST")\"]}"
//	echo "admin token:  $ADMIN"; echo "ingest token: $INGEST"   # keep these; AWS holds only hashes
//
// and rotates with aws secretsmanager put-secret-value --secret-id flowhook/api-tokens
// --secret-string '…' listing old and new hashes, then only the new ones.
//
// # API Gateway contract
//
// The authorizer is an HTTP API Lambda authorizer, payload format 2.0 with simple
// responses. With identity source $request.header.Authorization, API Gateway itself
// answers 401 to a request without that header (the function is not invoked);
// IsAuthorized false answers 403, whatever the reason (unknown token, wrong scope). An
// error from the function answers 500; it happens only when the tokens secret cannot be
// read or parsed, and fails closed.
//
// Authorizer result caching must not share a decision between routes: the same ingest
// token is allowed on POST /events and refused elsewhere. Either disable caching
// (AuthorizerResultTtlInSeconds: 0) or add $context.routeKey to the identity sources.
package auth
