// Two tiny static programs that scripts/infra/cluster.sh packs as images, since no image can
// be pulled from outside: pause, the pod sandbox's process, and probe, a busybox-like tool
// for checks inside the cluster (serve, get, resolve). Standard library only.
module shoshizan.local/cluster/images

go 1.26
