// Package secrets keeps the secret part of authentication connectors: the Basic password,
// the bearer token or the API key, one string per connector. Two stores satisfy the same
// contract, which the management API and the delivery code consume through interfaces
// they declare themselves:
//
//	Put(ctx, connectorID, value string) (ref string, err error)
//	Get(ctx, ref string) (string, error)
//	Delete(ctx, ref string) error
//
// In AWS, [Manager] keeps one Secrets Manager secret per connector, named
// <prefix><connectorID>; the reference is the secret's ARN. Reads go through the AWS
// caching client (github.com/aws/aws-secretsmanager-caching-go/v2), so a warm Lambda
// does not call Secrets Manager per request. Locally, [File] keeps every secret in one
// AES-256-GCM encrypted file under the data directory; the reference is local:<connectorID>.
//
// Contract of both stores:
//   - Put creates the secret or replaces its value. Replacing keeps the reference, so a
//     caller may store it once; after a Delete, Put may return a new one (an ARN has a
//     random suffix).
//   - Get of an unknown reference wraps webhook.ErrNotFound; a reference of another store
//     or outside the configured prefix wraps ErrInvalidRef.
//   - Delete is idempotent: deleting a secret that is already gone succeeds, so a retried
//     connector delete converges.
//   - Values never appear in errors, logs or (for File) the bytes on disk.
//
// [Cache] is the read side on its own, used by the API authorizer to read the token
// hashes secret.
package secrets
