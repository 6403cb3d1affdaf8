package secrets

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-secretsmanager-caching-go/v2/secretcache"

	"github.com/flowhook/flowhook/shared/webhook"
)

// ReadClient is the Secrets Manager API the cache needs, with the SDK's signatures;
// *secretsmanager.Client satisfies it. The caching library calls only DescribeSecret
// (to learn which version is current) and GetSecretValue, but its client interface
// names six methods, so this one does too. IAM must allow both DescribeSecret and
// GetSecretValue.
type ReadClient interface {
	DescribeSecret(ctx context.Context, params *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
	GetSecretValue(ctx context.Context, params *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	CreateSecret(ctx context.Context, params *secretsmanager.CreateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error)
	DeleteSecret(ctx context.Context, params *secretsmanager.DeleteSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DeleteSecretOutput, error)
	ListSecrets(ctx context.Context, params *secretsmanager.ListSecretsInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretsOutput, error)
	UpdateSecret(ctx context.Context, params *secretsmanager.UpdateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretOutput, error)
}

// Cache defaults.
const (
	// DefaultTTL bounds how stale a cached value may be: a password changed through
	// another function instance is seen within it.
	DefaultTTL = 5 * time.Minute
	// DefaultMaxEntries is far above the number of connectors one function touches.
	DefaultMaxEntries = 1024
)

// CacheOptions tune a Cache.
type CacheOptions struct {
	// TTL is the longest a value is served from memory before Secrets Manager is asked
	// again; the library picks each entry's lifetime at random between TTL/2 and TTL, so
	// instances do not refresh in step. Zero means DefaultTTL.
	TTL time.Duration
	// MaxEntries bounds the secrets held, least recently used first out. Zero means
	// DefaultMaxEntries.
	MaxEntries int
}

// Cache reads secret strings through an in-memory TTL cache. It is safe for concurrent
// use; concurrent misses on one secret make one round of calls.
//
// Failed reads are cached too (the library retries after 2^n ms, at most 3.6 s), and a
// failed refresh of a secret read before serves the stale value rather than an error.
type Cache struct {
	client ReadClient
	opts   CacheOptions

	mu    sync.RWMutex
	cache *secretcache.Cache
}

// NewCache returns a Cache over client.
func NewCache(client ReadClient, opts CacheOptions) (*Cache, error) {
	if client == nil {
		return nil, errors.New("new secrets cache: the client is nil")
	}
	switch {
	case opts.TTL < 0:
		return nil, fmt.Errorf("new secrets cache: negative TTL %s", opts.TTL)
	case opts.TTL == 0:
		opts.TTL = DefaultTTL
	}
	switch {
	case opts.MaxEntries < 0:
		return nil, fmt.Errorf("new secrets cache: negative MaxEntries %d", opts.MaxEntries)
	case opts.MaxEntries == 0:
		opts.MaxEntries = DefaultMaxEntries
	}
	c := &Cache{client: client, opts: opts}
	fresh, err := c.newLibraryCache()
	if err != nil {
		return nil, err
	}
	c.cache = fresh
	return c, nil
}

func (c *Cache) newLibraryCache() (*secretcache.Cache, error) {
	sc, err := secretcache.New(func(sc *secretcache.Cache) {
		sc.Client = c.client
		sc.CacheItemTTL = c.opts.TTL.Nanoseconds() // the library counts nanoseconds
		sc.MaxCacheSize = c.opts.MaxEntries
	})
	if err != nil {
		return nil, fmt.Errorf("new secrets cache: %w", err)
	}
	return sc, nil
}

// SecretString returns the current string value of the secret named or identified
// (ARN) by secretID. A secret that does not exist, or has no current string value,
// wraps webhook.ErrNotFound.
func (c *Cache) SecretString(ctx context.Context, secretID string) (string, error) {
	c.mu.RLock()
	sc := c.cache
	c.mu.RUnlock()
	v, err := sc.GetSecretStringWithContext(ctx, secretID)
	if err != nil {
		return "", translate(fmt.Sprintf("read secret %q", secretID), err)
	}
	return v, nil
}

// Reset forgets every cached value, so the next read of each secret asks Secrets
// Manager. Writers call it after changing a secret.
//
// Why everything and not one entry: the library has no per-entry eviction, and its
// RefreshNow sleeps 2.5–5 s and changes shared state without its lock. Writes are rare
// (a connector created, changed or deleted) and happen in the management function,
// which does not read secrets back, so the cost is a few extra reads at most.
func (c *Cache) Reset() {
	fresh, err := c.newLibraryCache()
	if err != nil {
		// Not reachable: New fails only when it must load an AWS config, and the client
		// is always set. Keeping the old cache is the safe fallback; TTL bounds staleness.
		return
	}
	c.mu.Lock()
	c.cache = fresh
	c.mu.Unlock()
}

// translate turns an SDK or caching-library error into this package's vocabulary.
// Not-found and context errors keep their identity; every other error is flattened to
// text so SDK types never cross the package boundary. Messages never carry values.
func translate(op string, err error) error {
	var notFound *types.ResourceNotFoundException
	var noVersion *secretcache.VersionNotFoundError
	switch {
	case errors.As(err, &notFound):
		return fmt.Errorf("%s: %w", op, webhook.ErrNotFound)
	case errors.As(err, &noVersion):
		return fmt.Errorf("%s: it has no current value: %w", op, webhook.ErrNotFound)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("%s: %w", op, context.Canceled)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: %w", op, context.DeadlineExceeded)
	}
	var invalid *secretcache.InvalidOperationError
	if errors.As(err, &invalid) {
		return fmt.Errorf("%s: the current version holds binary data, not a string", op)
	}
	return fmt.Errorf("%s: %s", op, err.Error())
}
