// kube-apiserver for the server-side dry-run tests (scripts/infra/kube-apiserver.sh): the
// command of the pinned k8s.io/kubernetes, built from a module of our own because
// k8s.io/kubernetes replaces its staging modules with local paths (see go.mod).
package main

import (
	"os"
	_ "time/tzdata" // time zones for CronJob validation, as the upstream binary has them

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // --logging-format=json
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client-go metrics
	_ "k8s.io/component-base/metrics/prometheus/version"  // the version metric
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
