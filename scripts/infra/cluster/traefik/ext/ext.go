// Package ext holds the extension points Traefik's dynamic configuration embeds
// (dynamic.HTTPConfiguration embeds HTTP, dynamic.Router embeds Router). The open source
// build leaves both empty; see go.mod.
package ext

// HTTP is embedded, inline, in dynamic.HTTPConfiguration.
type HTTP struct{}

// Router is embedded, inline, in dynamic.Router.
type Router struct{}
