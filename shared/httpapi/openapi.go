package httpapi

import _ "embed"

// OpenAPI is the OpenAPI 3.1 document of every route, served by the local runner at
// GET /openapi.yaml and checked against the router by the tests.
//
//go:embed openapi.yaml
var OpenAPI []byte
