// The local OCI registry the cluster's runtime pulls from (scripts/infra/cluster.sh), also
// the model registry of the model operator's end-to-end tests (scripts/infra/model-registry.sh,
// test/e2e/support/model-lab.ts): the registry of distribution v3 with only the storage
// drivers a single machine uses. No cloud drivers and no pull-through proxy: nothing here
// may reach another registry.
//
// The redirect storage middleware is here for Ollama: its puller (v0.17.4, server/download.go)
// expects a blob GET to be answered with a 307 to another host, as registries backed by
// object storage do, and fails with "http: no Location header in response" when the registry
// serves the blob itself (filesystem storage). The middleware only writes Location headers
// (to the baseurl a configuration names); nothing is used unless a configuration asks for it.
package main

import (
	"github.com/distribution/distribution/v3/registry"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/middleware/redirect"
)

func main() {
	// Execute exits the process itself when a command fails.
	_ = registry.RootCmd.Execute()
}
