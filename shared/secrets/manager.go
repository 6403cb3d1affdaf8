package secrets

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// Client is the Secrets Manager API a Manager uses, with the SDK's signatures:
// ReadClient (for the cache, and CreateSecret and DeleteSecret) plus PutSecretValue.
// *secretsmanager.Client satisfies it. IAM needs CreateSecret, PutSecretValue,
// DeleteSecret, DescribeSecret and GetSecretValue on <prefix>*.
type Client interface {
	ReadClient
	PutSecretValue(ctx context.Context, params *secretsmanager.PutSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
}

// Options configure a Manager.
type Options struct {
	// Cache tunes the read cache.
	Cache CacheOptions
	// KMSKeyID names the KMS key new secrets are encrypted with; empty means the
	// account's aws/secretsmanager key.
	KMSKeyID string
}

// Manager keeps connector secrets in AWS Secrets Manager, one secret per connector
// named <prefix><connectorID>. References are secret ARNs. It is safe for concurrent use.
//
// Delete removes the secret at once (ForceDeleteWithoutRecovery): the connector record
// that held the ARN is gone and connector ids are never reused, so a secret kept for a
// recovery window would be an orphan nothing can reach, and a forced delete keeps Delete
// idempotent (Secrets Manager answers success for a secret already gone).
type Manager struct {
	client   Client
	prefix   string
	kmsKeyID string
	cache    *Cache
}

// NewManager returns a Manager naming secrets <prefix><connectorID>, e.g. with prefix
// "flowhook/connectors/". The prefix is required: Get refuses ARNs outside it.
func NewManager(client Client, prefix string, opts Options) (*Manager, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, fmt.Errorf("new secrets manager: %w", err)
	}
	if client == nil {
		return nil, errors.New("new secrets manager: the client is nil")
	}
	cache, err := NewCache(client, opts.Cache)
	if err != nil {
		return nil, fmt.Errorf("new secrets manager: %w", err)
	}
	return &Manager{client: client, prefix: prefix, kmsKeyID: opts.KMSKeyID, cache: cache}, nil
}

// checkPrefix accepts the characters Secrets Manager allows in names.
func checkPrefix(p string) error {
	if p == "" {
		return errors.New("the secret name prefix is empty")
	}
	if len(p) > 512-maxIDLen {
		return fmt.Errorf("the secret name prefix is longer than %d characters", 512-maxIDLen)
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.IndexByte("/_+=.@-", c) >= 0:
		default:
			return fmt.Errorf("the secret name prefix %q has a character Secrets Manager does not allow at byte %d", p, i)
		}
	}
	return nil
}

// Put stores value as the secret of connectorID, creating the secret on first use and
// adding a new current version after, and returns the secret's ARN.
func (m *Manager) Put(ctx context.Context, connectorID, value string) (string, error) {
	if err := checkID(connectorID); err != nil {
		return "", fmt.Errorf("put secret of connector %q: %w", connectorID, err)
	}
	if err := checkValue(value); err != nil {
		return "", fmt.Errorf("put secret of connector %q: %w", connectorID, err)
	}
	name := m.prefix + connectorID
	// Whatever happens below, drop cached values: a write that timed out may still
	// have landed.
	defer m.cache.Reset()

	in := &secretsmanager.CreateSecretInput{
		Name:         aws.String(name),
		SecretString: aws.String(value),
		Description:  aws.String("Flowhook connector " + connectorID + " (written by Flowhook; do not edit by hand)"),
	}
	if m.kmsKeyID != "" {
		in.KmsKeyId = aws.String(m.kmsKeyID)
	}
	created, err := m.client.CreateSecret(ctx, in)
	if err == nil {
		return aws.ToString(created.ARN), nil
	}
	var exists *types.ResourceExistsException
	if !errors.As(err, &exists) {
		return "", translate(fmt.Sprintf("create secret %q", name), err)
	}
	put, err := m.client.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId:     aws.String(name),
		SecretString: aws.String(value),
	})
	if err != nil {
		return "", translate(fmt.Sprintf("put secret value %q", name), err)
	}
	return aws.ToString(put.ARN), nil
}

// Get returns the current value of the secret ref names, from the cache when fresh.
func (m *Manager) Get(ctx context.Context, ref string) (string, error) {
	if err := m.checkRef(ref); err != nil {
		return "", fmt.Errorf("get secret %q: %w", ref, err)
	}
	v, err := m.cache.SecretString(ctx, ref)
	if err != nil {
		return "", fmt.Errorf("get secret: %w", err)
	}
	return v, nil
}

// Delete removes the secret ref names, without a recovery window. Deleting a secret
// that is already gone succeeds.
func (m *Manager) Delete(ctx context.Context, ref string) error {
	if err := m.checkRef(ref); err != nil {
		return fmt.Errorf("delete secret %q: %w", ref, err)
	}
	defer m.cache.Reset()
	_, err := m.client.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{
		SecretId:                   aws.String(ref),
		ForceDeleteWithoutRecovery: aws.Bool(true),
	})
	var notFound *types.ResourceNotFoundException
	if err != nil && !errors.As(err, &notFound) {
		return translate(fmt.Sprintf("delete secret %q", ref), err)
	}
	return nil
}

// checkRef accepts only Secrets Manager ARNs whose secret name starts with the prefix:
// arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX.
func (m *Manager) checkRef(ref string) error {
	parts := strings.SplitN(ref, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[1] == "" || parts[2] != "secretsmanager" ||
		parts[3] == "" || parts[4] == "" || parts[5] != "secret" {
		return fmt.Errorf("%w: not a Secrets Manager secret ARN", ErrInvalidRef)
	}
	name := parts[6]
	if !strings.HasPrefix(name, m.prefix) || len(name) == len(m.prefix) {
		return fmt.Errorf("%w: the secret is not under the prefix %q", ErrInvalidRef, m.prefix)
	}
	return nil
}
