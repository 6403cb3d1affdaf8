package secrets_test

import (
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/flowhook/flowhook/infra/moto"
)

// One moto_server serves the package's tests; they isolate themselves by secret name.
func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

// motoClient returns a Secrets Manager client talking to the package's moto_server.
func motoClient(t testing.TB) *secretsmanager.Client {
	t.Helper()
	return secretsmanager.NewFromConfig(moto.Start(t).AWSConfig())
}

// testPrefix is a secret name prefix unique to the call.
func testPrefix(t testing.TB) string { return moto.Name(t, "flowhook-test") + "/" }
