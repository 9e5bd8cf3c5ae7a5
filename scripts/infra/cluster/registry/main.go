// The local OCI registry the cluster's runtime pulls from (scripts/infra/cluster.sh): the
// registry of distribution v3 with only the storage drivers a single machine uses. No cloud
// drivers and no pull-through proxy: nothing here may reach another registry.
package main

import (
	"github.com/distribution/distribution/v3/registry"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory"
)

func main() {
	// Execute exits the process itself when a command fails.
	_ = registry.RootCmd.Execute()
}
