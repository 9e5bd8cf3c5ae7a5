// CoreDNS for the local cluster (scripts/infra/cluster.sh): upstream's main with its full
// plugin list, built from the pinned module and packed into the cluster's DNS image.
package main

import (
	_ "github.com/coredns/coredns/core/plugin" // every plugin of the release, as upstream's binary has
	"github.com/coredns/coredns/coremain"
)

func main() {
	coremain.Run()
}
