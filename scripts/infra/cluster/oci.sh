#!/usr/bin/env bash
# OCI images without a container engine: a root file system folder becomes a one-layer image
# (an OCI image layout), which is either archived for `ctr images import` or pushed to a
# registry over the distribution API with curl. Sourced by cluster.sh and cluster/smoke.sh.
# Layers are reproducible: sorted entries, owner root, mtime 0, gzip without a name or time.

# json_strings ARG...: a JSON array of strings.
json_strings() {
  local out="" s
  for s in "$@"; do
    s="${s//\\/\\\\}"
    s="${s//\"/\\\"}"
    out+="${out:+,}\"$s\""
  done
  printf '[%s]' "$out"
}

# oci_blob LAYOUT FILE: moves FILE into LAYOUT's blobs and prints "sha256:<hex> <size>".
oci_blob() {
  local layout="$1" file="$2" hex size
  hex="$(sha256sum "$file" | cut -d' ' -f1)"
  size="$(stat -c %s "$file")"
  mv "$file" "$layout/blobs/sha256/$hex"
  echo "sha256:$hex $size"
}

# oci_layout LAYOUT REF ROOTFS ENTRYPOINT...: writes the OCI image layout of a linux/amd64
# image named REF (registry/repository:tag) whose one layer is the folder ROOTFS. OCI_USER,
# when set (uid:gid), is the image's user; unset, the image runs as root.
oci_layout() {
  local layout="$1" ref="$2" rootfs="$3"; shift 3
  local user="${OCI_USER:+\"User\":\"$OCI_USER\",}"
  local tmp="$layout.tmp" diff_id layer layer_digest layer_size config config_digest config_size manifest manifest_digest manifest_size
  rm -rf "$layout" "$tmp" && mkdir -p "$layout/blobs/sha256" "$tmp"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$rootfs" -cf "$tmp/layer.tar" .
  diff_id="sha256:$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)"
  gzip -n -6 "$tmp/layer.tar"
  read -r layer_digest layer_size <<<"$(oci_blob "$layout" "$tmp/layer.tar.gz")"
  printf '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":{%s"Entrypoint":%s,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["%s"]}}' \
    "$user" "$(json_strings "$@")" "$diff_id" >"$tmp/config.json"
  read -r config_digest config_size <<<"$(oci_blob "$layout" "$tmp/config.json")"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%s}]}' \
    "$config_digest" "$config_size" "$layer_digest" "$layer_size" >"$tmp/manifest.json"
  read -r manifest_digest manifest_size <<<"$(oci_blob "$layout" "$tmp/manifest.json")"
  # containerd names an imported image after io.containerd.image.name; the OCI annotation
  # holds the tag alone, as the image-spec says.
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "$manifest_digest" "$manifest_size" "$ref" "${ref##*:}" >"$layout/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
  rm -rf "$tmp"
}

# oci_archive LAYOUT TAR: the layout as one tar, the form `ctr images import` reads.
oci_archive() {
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$1" -cf "$2.tmp" oci-layout index.json blobs
  mv "$2.tmp" "$2"
}

# oci_manifest_digest LAYOUT: the digest of the image's manifest.
oci_manifest_digest() { sed -n 's/.*"digest":"\(sha256:[0-9a-f]*\)".*/\1/p' "$1/index.json"; }

# oci_push LAYOUT REGISTRY REPOSITORY TAG: uploads the blobs the registry lacks (plain http),
# then the manifest under TAG. REGISTRY is host:port.
oci_push() {
  local layout="$1" registry="$2" repo="$3" tag="$4" base manifest blob digest location
  base="http://$registry/v2/$repo"
  manifest="$layout/blobs/sha256/$(oci_manifest_digest "$layout" | cut -d: -f2)"
  for blob in $(grep -o 'sha256:[0-9a-f]*' "$manifest"); do
    digest="$blob"
    curl -fsS -o /dev/null -I "$base/blobs/$digest" 2>/dev/null && continue
    location="$(curl -fsS -o /dev/null -D - -X POST "$base/blobs/uploads/" | sed -n 's/^[Ll]ocation: *\([^[:space:]]*\).*/\1/p')"
    [[ -n "$location" ]] || { echo "the registry at $registry gave no upload location" >&2; return 1; }
    [[ "$location" == http* ]] || location="http://$registry$location"
    [[ "$location" == *\?* ]] && location+="&" || location+="?"
    curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' \
      --data-binary "@$layout/blobs/sha256/${digest#sha256:}" "${location}digest=$digest" || return 1
  done
  curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
    --data-binary "@$manifest" "$base/manifests/$tag"
}
