// Traefik's dynamic configuration has two extension points, the empty structs ext.HTTP and
// ext.Router embedded in dynamic.HTTPConfiguration and dynamic.Router. Upstream keeps them in
// a nested module (pkg/config/dynamic/ext) that its go.mod reaches by a replace line, so it is
// neither in Traefik's module zip nor served on its own: this is that package, as the open
// source build uses it (empty, nothing added).
module github.com/traefik/traefik/dynamic/ext

go 1.26.6
