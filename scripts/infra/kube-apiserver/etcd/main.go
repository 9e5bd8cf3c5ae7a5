// etcd for the local kube-apiserver (scripts/infra/kube-apiserver.sh): the etcd server
// package of the pinned go.etcd.io/etcd/server/v3, built as a binary of its own.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
