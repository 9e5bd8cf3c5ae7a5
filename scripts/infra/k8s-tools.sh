#!/usr/bin/env bash
# The Kubernetes validation tools that the cdk8s and Helm chart tests run, all offline:
# helm, kubeconform, kube-score and skaffold built from source out of the Go module cache,
# and kubeconform's JSON schemas made here: the Kubernetes API of two releases (from the
# swagger.json in the k8s.io/kubernetes module) and the CRDs of KEDA, the Prometheus
# Operator and Strimzi. Everything lives under ~/.cache/shoshizan/k8s-tools; a rerun that
# finds it all in place does nothing.
#   k8s-tools.sh install        build the tools and the schemas
#   k8s-tools.sh schemas        only the schemas and the CRD files (no tool builds)
#   k8s-tools.sh path TOOL      where TOOL (helm, kubeconform, kube-score, skaffold) is, or
#                               `path crds`: the folder of the raw CRD YAML files
#   k8s-tools.sh env            all of the above as one JSON object (for the tests)
#   k8s-tools.sh imports        regenerates cdk8s/imports/<group>.ts from the pinned CRDs
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/k8s-tools" && pwd)"

# ---------------------------------------------------------------------------- versions
# Helm 3, the release line the chart targets; v3.22.0 is the newest v3 the module proxy
# serves. Its Makefile stamps the version and the default Kubernetes version (the minor of
# the client-go it builds with) through ldflags; without them `helm version` says v3.22
# and `helm template` renders for Kubernetes 1.20.
HELM_VERSION="v3.22.0"
# The newest kubeconform the proxy serves (v0.8.0 needs Go 1.26).
KUBECONFORM_VERSION="v0.8.0"
# The newest and only kube-score release the proxy serves.
KUBE_SCORE_VERSION="v1.20.0"
# The proxy refuses every skaffold v2 release after v2.16.1 (v2.17.0 included).
SKAFFOLD_VERSION="v2.16.1"

# Schemas for the newest Kubernetes release the proxy serves (the one helm v3.22.0 is built
# against) and for 1.27, the oldest release the chart supports (cdk8s-plus-27). The h1:
# sums pin the module contents, so a changed swagger.json cannot slip in under a version.
KUBERNETES_CURRENT="1.37.2"
KUBERNETES_CURRENT_SUM="h1:A2VDEiObzkYqFTKhSsn0ZEb0RlLEXpHWj93gi2HqEwE="
KUBERNETES_OLDEST="1.27.16"   # the last 1.27 patch release
KUBERNETES_OLDEST_SUM="h1:DHFqj/HTUqHStFlRH9wCKPocqgHsjR6Q/DzYarB2QQE="

# CRDs. KEDA v2.21.0 and prometheus-operator v0.85.0 are the newest versions of these Go
# modules that the proxy serves; both keep their generated CRDs in the module.
KEDA_MODULE="github.com/kedacore/keda/v2@v2.21.0"
KEDA_SUM="h1:R6z2HZvstK4RLUMxroNACzBj74xGxt3kG59b5Xc+Xps="
PROMETHEUS_OPERATOR_MODULE="github.com/prometheus-operator/prometheus-operator@v0.85.0"
PROMETHEUS_OPERATOR_SUM="h1:M5xLCLEoaW2IJfnuCwFzzpL+jSVQu3KGT84Pye+fW8s="
# Strimzi is Java, not a Go module. Its CRD YAML is generated from the io.strimzi:api
# classes by io.strimzi:crd-generator (both on Maven Central, both built for Java 21) with
# the arguments of Strimzi's api/pom.xml; the sha256 sums are those of the files Strimzi
# 1.2.0 ships in packaging/install/cluster-operator/, so the output is checked byte for
# byte. 1.2.0 is the newest release; it serves kafka.strimzi.io/v1 only.
STRIMZI_VERSION="1.2.0"
declare -A STRIMZI_CRDS=(
  # class in io.strimzi:api => sha256 of the generated CRD
  [io.strimzi.api.kafka.model.kafka.Kafka]="b5b27fc8d52068a77cde7c40d47c068023c7b4e92fc266c45200db2d2506392a"
  [io.strimzi.api.kafka.model.nodepool.KafkaNodePool]="411c1b32ef8c1a6408ac9d4fe791115a6ce2b41107204588f976a3ed19be2430"
  [io.strimzi.api.kafka.model.topic.KafkaTopic]="36390f0731c699448076d4ee739e8b7f331d083e91a7fb71500aaa830ab1127e"
  [io.strimzi.api.kafka.model.user.KafkaUser]="c7e91b9b027a516b43dc7d369e781ee23a6ea177ae15fe0c33af6f722e26e05f"
)

# The custom resources the constructs use, as typed classes (`cdk8s import` of local CRD
# files; the core API comes from cdk8s-plus-27). API group => the CRDs' plural names.
declare -A CDK8S_IMPORTS=(
  [keda.sh]="scaledobjects triggerauthentications"
  [monitoring.coreos.com]="servicemonitors prometheusrules"
  [kafka.strimzi.io]="kafkas kafkanodepools kafkatopics"
)

K8S_HOME="$SHOSHIZAN_HOME/k8s-tools"
BUILD_DIR="$SHOSHIZAN_HOME/build/k8s-tools"
CRD_DIR="$K8S_HOME/crds"                # raw CRD YAML, <group>_<plural>.yaml (cdk8s import reads these)
SCHEMA_DIR="$K8S_HOME/schemas"
KUBERNETES_SCHEMAS="$SCHEMA_DIR/kubernetes/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
CRD_SCHEMAS="$SCHEMA_DIR/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"

# tool_path NAME: the binary of a pinned tool (a new pin builds into a new folder).
tool_path() {
  case "$1" in
    helm) echo "$K8S_HOME/helm/$HELM_VERSION/bin/helm" ;;
    kubeconform) echo "$K8S_HOME/kubeconform/$KUBECONFORM_VERSION/bin/kubeconform" ;;
    kube-score) echo "$K8S_HOME/kube-score/$KUBE_SCORE_VERSION/bin/kube-score" ;;
    skaffold) echo "$K8S_HOME/skaffold/$SKAFFOLD_VERSION/bin/skaffold" ;;
    *) die "unknown tool '$1' (helm, kubeconform, kube-score, skaffold)" ;;
  esac
}

# ---------------------------------------------------------------------------- helpers

go_cmd() {
  if command -v go >/dev/null 2>&1; then command -v go
  elif [[ -x /usr/local/go/bin/go ]]; then echo /usr/local/go/bin/go
  else die "Go (1.26 or later) is needed to build the Kubernetes tools; put it on PATH"
  fi
}

# module_dir MODULE@VERSION [H1_SUM]: downloads a module through the module proxy and prints
# its directory; with a sum, dies unless the module has exactly that content.
module_dir() {
  local json dir sum
  json="$("$GO" mod download -json "$1" 2>&1)" || die "could not download $1: $json"
  dir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")"
  sum="$(sed -n 's/^[[:space:]]*"Sum": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")"
  [[ -n "$dir" && -d "$dir" ]] || die "could not download $1: $json"
  [[ -z "${2:-}" || "$sum" == "$2" ]] || die "$1 has sum $sum, not the pinned $2"
  echo "$dir"
}

# go_install NAME VERSION PACKAGE LDFLAGS: `go install PACKAGE@VERSION` for modules without
# replace directives; the binary is moved into place only once complete.
go_install() {
  local name="$1" version="$2" package="$3" ldflags="$4" bin stage
  bin="$(tool_path "$name")"
  [[ -x "$bin" ]] && return 0
  stage="$BUILD_DIR/$name-$version"
  rm -rf "$stage" && mkdir -p "$stage"
  log "building $name $version from source"
  run_build "$name $version" "$SHOSHIZAN_LOGS/k8s-tools-$name.log" "$stage" \
    env GOBIN="$stage" CGO_ENABLED=0 "$GO" install -trimpath -ldflags "$ldflags" "$package@$version"
  mkdir -p "$(dirname "$bin")"
  mv "$stage/$name" "$bin"
  rm -rf "$stage"
}

build_helm() {
  [[ -x "$(tool_path helm)" ]] && return 0
  local dir client_go minor
  dir="$(module_dir "helm.sh/helm/v3@$HELM_VERSION")"
  # As helm's Makefile does: the default Kubernetes version is the client-go minor + 1.x.
  client_go="$(awk '$1 == "k8s.io/client-go" { print $2 }' "$dir/go.mod")"
  [[ "$client_go" =~ ^v0\.([0-9]+)\. ]] || die "no k8s.io/client-go v0.N version in helm's go.mod"
  minor="${BASH_REMATCH[1]}"
  local x="-X helm.sh/helm/v3" flags="-s -w"
  flags+=" $x/internal/version.version=$HELM_VERSION $x/internal/version.gitTreeState=clean"
  flags+=" $x/pkg/chartutil.k8sVersionMajor=1 $x/pkg/chartutil.k8sVersionMinor=$minor"
  flags+=" $x/pkg/lint/rules.k8sVersionMajor=1 $x/pkg/lint/rules.k8sVersionMinor=$minor"
  go_install helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm "$flags"
}

build_kubeconform() {
  go_install kubeconform "$KUBECONFORM_VERSION" github.com/yannh/kubeconform/cmd/kubeconform \
    "-s -w -X main.version=$KUBECONFORM_VERSION"
}

build_kube_score() {
  go_install kube-score "$KUBE_SCORE_VERSION" github.com/zegl/kube-score/cmd/kube-score \
    "-s -w -X main.version=${KUBE_SCORE_VERSION#v}"
}

# skaffold's go.mod has replace directives, which `go install module@version` refuses, and
# the module zip has lost the vendor/ folder its Makefile builds from (-mod=vendor). So:
# a writable copy of the module, built as the main module with -mod=mod.
build_skaffold() {
  local bin
  bin="$(tool_path skaffold)"
  [[ -x "$bin" ]] && return 0
  local src work="$BUILD_DIR/skaffold-$SKAFFOLD_VERSION" p="github.com/GoogleContainerTools/skaffold/v2/pkg/skaffold/version"
  src="$(module_dir "github.com/GoogleContainerTools/skaffold/v2@$SKAFFOLD_VERSION")"
  rm -rf "$work" && mkdir -p "$(dirname "$work")"
  cp -r "$src" "$work" && chmod -R u+w "$work" && rm -rf "$work/vendor"
  log "building skaffold $SKAFFOLD_VERSION from source; a first build takes several minutes on 2 cores"
  # The tags of skaffold's Linux release build; netgo and osusergo keep it free of cgo.
  run_build "skaffold $SKAFFOLD_VERSION" "$SHOSHIZAN_LOGS/k8s-tools-skaffold.log" "$work" \
    env CGO_ENABLED=0 "$GO" build -mod=mod -trimpath -tags "timetzdata osusergo netgo release" \
    -ldflags "-s -w -X $p.version=$SKAFFOLD_VERSION" -o "$work/skaffold" ./cmd/skaffold
  mkdir -p "$(dirname "$bin")"
  mv "$work/skaffold" "$bin"
  rm -rf "$work"
}

# java21: a Java runtime of version 21 or later (Strimzi's generator needs it).
java21() {
  local java v
  for java in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java 2>/dev/null || true)" /usr/lib/jvm/*/bin/java; do
    [[ -x "$java" ]] || continue
    v="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')"
    [[ "${v%%.*}" =~ ^[0-9]+$ ]] && ((${v%%.*} >= 21)) && { echo "$java"; return 0; }
  done
  return 1
}

# strimzi_crds DEST: generates Strimzi's CRDs as <group>_<plural>.yaml into DEST.
strimzi_crds() {
  local dest="$1" work="$BUILD_DIR/strimzi-$STRIMZI_VERSION" java class file out
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to fetch Strimzi's CRD generator"
  java="$(java21)" || die "Strimzi's CRD generator needs Java 21 or later; set JAVA_HOME to one"
  rm -rf "$work" && mkdir -p "$work/out"
  cat >"$work/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>shoshizan.local</groupId><artifactId>strimzi-crds</artifactId><version>0</version>
  <dependencies>
    <dependency><groupId>io.strimzi</groupId><artifactId>api</artifactId><version>$STRIMZI_VERSION</version></dependency>
    <dependency><groupId>io.strimzi</groupId><artifactId>crd-generator</artifactId><version>$STRIMZI_VERSION</version></dependency>
  </dependencies>
</project>
EOF
  mvn -q -B -f "$work/pom.xml" dependency:build-classpath -Dmdep.includeScope=runtime \
    -Dmdep.outputFile="$work/classpath.txt" >"$work/mvn.log" 2>&1 ||
    { tail -n 20 "$work/mvn.log" >&2; die "could not resolve io.strimzi:api and crd-generator $STRIMZI_VERSION"; }
  local args=()
  for class in "${!STRIMZI_CRDS[@]}"; do args+=("$class=$work/out/${class##*.}.yaml"); done
  # The arguments of the CRD execution in Strimzi's api/pom.xml.
  "$java" -cp "$(cat "$work/classpath.txt")" io.strimzi.crdgenerator.CrdGenerator \
    --label app:strimzi --label strimzi.io/crd-install:true --target-kube 1.16+ \
    --crd-api-version v1 --api-versions v1 --storage-version v1 --yaml "${args[@]}" >"$work/generator.log" 2>&1 ||
    { tail -n 20 "$work/generator.log" >&2; die "Strimzi's CRD generator failed"; }
  for class in "${!STRIMZI_CRDS[@]}"; do
    file="$work/out/${class##*.}.yaml"
    [[ "$(sha256sum "$file" | cut -d' ' -f1)" == "${STRIMZI_CRDS[$class]}" ]] ||
      die "the generated CRD of $class differs from Strimzi $STRIMZI_VERSION's (sha256 ${STRIMZI_CRDS[$class]})"
    out="$(sed -n 's/^  name: \([a-z0-9.]*\)$/\1/p' "$file" | head -n 1)"   # plural.group
    [[ -n "$out" ]] || die "no metadata.name in $file"
    cp "$file" "$dest/${out#*.}_${out%%.*}.yaml"
  done
  rm -rf "$work"
}

# stamp_ok DIR TEXT: true when DIR was made from exactly these inputs.
stamp_ok() { [[ -f "$1/.stamp" && "$(cat "$1/.stamp")" == "$2" ]]; }

converter_sum() { sha256sum "$HERE/jsonschema.mjs" | cut -d' ' -f1; }

need_node_yaml() {
  node -e 'require.resolve("yaml")' 2>/dev/null || (cd "$HERE" && node -e 'require.resolve("yaml")' 2>/dev/null) ||
    die "the schema converter needs the npm package yaml: run scripts/deps.sh (npm ci) first"
}

collect_crds() {
  local stamp="$KEDA_MODULE $PROMETHEUS_OPERATOR_MODULE strimzi@$STRIMZI_VERSION"
  stamp_ok "$CRD_DIR" "$stamp" && return 0
  local tmp="$CRD_DIR.new" keda prometheus
  rm -rf "$tmp" && mkdir -p "$tmp"
  keda="$(module_dir "$KEDA_MODULE" "$KEDA_SUM")/config/crd/bases"
  cp "$keda/keda.sh_scaledobjects.yaml" "$keda/keda.sh_triggerauthentications.yaml" "$tmp/"
  prometheus="$(module_dir "$PROMETHEUS_OPERATOR_MODULE" "$PROMETHEUS_OPERATOR_SUM")/example/prometheus-operator-crd"
  cp "$prometheus/monitoring.coreos.com_servicemonitors.yaml" "$prometheus/monitoring.coreos.com_podmonitors.yaml" \
    "$prometheus/monitoring.coreos.com_prometheusrules.yaml" "$tmp/"
  strimzi_crds "$tmp"
  chmod -R u+w "$tmp"   # copies out of the read-only module cache
  echo "$stamp" >"$tmp/.stamp"
  rm -rf "$CRD_DIR" && mv "$tmp" "$CRD_DIR"
  log "CRDs ready: $CRD_DIR"
}

build_schemas() {
  need_node_yaml
  local version sum dir stamp src
  for version in "$KUBERNETES_CURRENT" "$KUBERNETES_OLDEST"; do
    sum="$([[ "$version" == "$KUBERNETES_CURRENT" ]] && echo "$KUBERNETES_CURRENT_SUM" || echo "$KUBERNETES_OLDEST_SUM")"
    dir="$SCHEMA_DIR/kubernetes/v$version-standalone-strict"
    stamp="k8s.io/kubernetes@v$version converter $(converter_sum)"
    stamp_ok "$dir" "$stamp" && continue
    src="$(module_dir "k8s.io/kubernetes@v$version" "$sum")"
    rm -rf "$dir.new"
    node "$HERE/jsonschema.mjs" kubernetes "$src/api/openapi-spec/swagger.json" "$dir.new" >&2 ||
      die "could not convert the Kubernetes $version API to JSON schemas"
    echo "$stamp" >"$dir.new/.stamp"
    rm -rf "$dir" && mv "$dir.new" "$dir"
  done

  collect_crds
  dir="$SCHEMA_DIR/crds"
  stamp="$(cat "$CRD_DIR/.stamp") converter $(converter_sum)"
  stamp_ok "$dir" "$stamp" && return 0
  rm -rf "$dir.new"
  node "$HERE/jsonschema.mjs" crd "$dir.new" "$CRD_DIR"/*.yaml >&2 || die "could not convert the CRDs to JSON schemas"
  echo "$stamp" >"$dir.new/.stamp"
  rm -rf "$dir" && mv "$dir.new" "$dir"
}

all_built() {
  local t
  for t in helm kubeconform kube-score skaffold; do [[ -x "$(tool_path "$t")" ]] || return 1; done
}

# with_lock FUNCTION: one install at a time (parallel test runs may both get here).
with_lock() {
  mkdir -p "$BUILD_DIR"
  exec 9>"$BUILD_DIR/install.lock"
  flock 9
  "$@"
  exec 9>&-
}

install_all() {
  if ! all_built; then
    GO="$(go_cmd)"
    # One build at a time: each already keeps both cores busy.
    build_kubeconform
    build_kube_score
    build_helm
    build_skaffold
  fi
  install_schemas
}

install_schemas() {
  GO="${GO:-$(go_cmd)}"
  build_schemas
}

# generate_imports: cdk8s import, one run per API group on a multi-document file of that
# group's CRDs, so each group becomes one module (keda.sh.ts). The output is committed.
generate_imports() {
  local root cli work group plural file
  root="$(cd "$HERE/../../.." && pwd)"
  cli="$root/node_modules/.bin/cdk8s"
  [[ -x "$cli" ]] || die "cdk8s-cli is missing: run scripts/deps.sh (npm ci) first"
  work="$BUILD_DIR/imports"
  rm -rf "$work" && mkdir -p "$work/crds"
  for group in "${!CDK8S_IMPORTS[@]}"; do
    file="$work/crds/$group.yaml"
    for plural in ${CDK8S_IMPORTS[$group]}; do
      [[ -s "$file" ]] && printf -- '---\n' >>"$file"
      cat "$CRD_DIR/${group}_$plural.yaml" >>"$file"
    done
    (cd "$root/cdk8s" && "$cli" import --no-check-upgrade --no-save --language typescript --output "$work/out" "$file") \
      >"$work/$group.log" 2>&1 || { cat "$work/$group.log" >&2; die "cdk8s import of $group failed"; }
    [[ -f "$work/out/$group.ts" ]] || die "cdk8s import of $group wrote no $group.ts"
  done
  rm -rf "$root/cdk8s/imports" && mkdir -p "$root/cdk8s/imports"
  cp "$work/out"/*.ts "$root/cdk8s/imports/"
  rm -rf "$work"
  log "regenerated cdk8s/imports: $(cd "$root/cdk8s/imports" && echo *.ts)"
}

env_json() {
  printf '{"home":"%s","crds":"%s","schemas":"%s",' "$K8S_HOME" "$CRD_DIR" "$SCHEMA_DIR"
  printf '"kubernetesVersions":["%s","%s"],' "$KUBERNETES_CURRENT" "$KUBERNETES_OLDEST"
  printf '"schemaLocations":["%s","%s"],' "$KUBERNETES_SCHEMAS" "$CRD_SCHEMAS"
  printf '"tools":{"helm":"%s","kubeconform":"%s","kube-score":"%s","skaffold":"%s"},' \
    "$(tool_path helm)" "$(tool_path kubeconform)" "$(tool_path kube-score)" "$(tool_path skaffold)"
  printf '"versions":{"helm":"%s","kubeconform":"%s","kube-score":"%s","skaffold":"%s"}}\n' \
    "$HELM_VERSION" "$KUBECONFORM_VERSION" "$KUBE_SCORE_VERSION" "$SKAFFOLD_VERSION"
}

case "${1:-}" in
  install) with_lock install_all ;;
  schemas) with_lock install_schemas ;;
  path)
    case "${2:-}" in
      crds) echo "$CRD_DIR" ;;
      *) tool_path "${2:-}" ;;
    esac
    ;;
  env) env_json ;;
  imports) with_lock install_schemas && generate_imports ;;
  *) die "usage: $0 install|schemas|path <helm|kubeconform|kube-score|skaffold|crds>|env|imports" ;;
esac
