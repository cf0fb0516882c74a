#!/usr/bin/env bash
# Builds the real Dockerfile without a daemon (buildah) on a local Debian base and proves it serves.
#
#   scripts/image-test.sh base    make (or reuse) the local python base image from a cached debootstrap rootfs
#   scripts/image-test.sh build   base + build the MedQA image from ./Dockerfile with PYTHON_IMAGE=<local base>
#   scripts/image-test.sh smoke   as the image's own (non-root) user: migrate, purge, then serve and GET /healthz
#   scripts/image-test.sh readonly  the same with a read-only root filesystem and a tmpfs /tmp, as in Kubernetes
#   scripts/image-test.sh size    print the built image size in bytes
#   scripts/image-test.sh all     build, smoke, readonly, size (the default)
#
# No registry is reachable here, so the base is a Debian root filesystem made by debootstrap, cached as a
# tarball under ${MEDQA_TOOLS_HOME:-$HOME/.cache/medqa-tools}/image-base and imported into buildah's local
# storage. Needs (apt): buildah debootstrap. Runs as root (debootstrap and chroot isolation need it).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${MEDQA_TOOLS_HOME:-$HOME/.cache/medqa-tools}/image-base"
SUITE="${MEDQA_BASE_SUITE:-bookworm}"                  # bookworm ships python3.11, the floor we support
MIRROR="${MEDQA_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
BASE_IMAGE="localhost/medqa-python-base:${SUITE}"
IMAGE="${MEDQA_IMAGE:-localhost/medqa:image-test}"
PORT="${MEDQA_IMAGE_TEST_PORT:-18080}"
EXPECTED_UID="${MEDQA_EXPECTED_UID:-10001}"
ROOTFS_TAR="${CACHE}/debian-${SUITE}-python3.tar.gz"
CA_BUNDLE="${MEDQA_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"

log() { printf 'image-test: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

need() {
  local missing=()
  for bin in "$@"; do command -v "$bin" >/dev/null 2>&1 || missing+=("$bin"); done
  ((${#missing[@]} == 0)) || die "missing ${missing[*]}: apt-get install -y buildah debootstrap"
}

rootfs() {
  # The debootstrap rootfs is the slow part (minutes); it is cached and only rebuilt when missing.
  [[ -s "$ROOTFS_TAR" ]] && return 0
  need debootstrap
  mkdir -p "$CACHE"
  local dir
  dir="$(mktemp -d "${CACHE}/rootfs.XXXXXX")"
  log "debootstrap ${SUITE} into ${dir} (first run only)"
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    "$SUITE" "$dir" "$MIRROR" >"${dir}.log" 2>&1 || { tail -20 "${dir}.log" >&2; rm -rf "$dir"; die "debootstrap failed"; }
  rm -rf "${dir:?}"/var/lib/apt/lists/* "${dir:?}"/var/cache/apt/*.bin "${dir:?}"/var/cache/apt/archives/*.deb
  tar --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
    -C "$dir" -czf "${ROOTFS_TAR}.tmp" .
  mv "${ROOTFS_TAR}.tmp" "$ROOTFS_TAR"
  rm -rf "$dir" "${dir}.log"
}

base() {
  need buildah
  buildah inspect --type image "$BASE_IMAGE" >/dev/null 2>&1 && return 0
  rootfs
  log "importing ${ROOTFS_TAR} as ${BASE_IMAGE}"
  local ctr
  ctr="$(buildah from scratch)"
  buildah add --quiet "$ctr" "$ROOTFS_TAR" / >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env LANG=C.UTF-8 --cmd python3 "$ctr"
  buildah commit --quiet --rm "$ctr" "$BASE_IMAGE" >/dev/null
}

build() {
  base
  log "building ${IMAGE} from ${REPO}/Dockerfile on ${BASE_IMAGE}"
  local secret=()
  # This network intercepts TLS: hand the host's CA bundle to pip/uv as a build secret (never a layer).
  [[ -s "$CA_BUNDLE" ]] && secret=(--secret "id=ca_bundle,src=${CA_BUNDLE}")
  buildah build --format docker --isolation chroot --network host --pull=never --layers "${secret[@]}" \
    --build-arg "PYTHON_IMAGE=${BASE_IMAGE}" -t "$IMAGE" -f "${REPO}/Dockerfile" "$REPO" >&2
}

size() {
  buildah inspect --type image "$IMAGE" >/dev/null 2>&1 || die "image ${IMAGE} not built: run '$0 build'"
  buildah images --format '{{.Size}}' --noheading "$IMAGE" | head -1 | sed 's/^/size: /'
}

smoke() {
  need buildah curl
  buildah inspect --type image "$IMAGE" >/dev/null 2>&1 || die "image ${IMAGE} not built: run '$0 build'"
  local ctr pid code="" uid
  ctr="$(buildah from --pull=never "$IMAGE")"
  # shellcheck disable=SC2064
  trap "buildah rm '$ctr' >/dev/null 2>&1 || true" EXIT
  # No --user: buildah run takes the image's USER, which is what we are proving is not root.
  uid="$(buildah run --isolation chroot "$ctr" -- id -u)"
  [[ "$uid" == "$EXPECTED_UID" ]] || die "image runs as uid ${uid}, expected ${EXPECTED_UID}"
  echo "uid: ${uid}"
  buildah run --isolation chroot "$ctr" -- sh -c 'touch /opt/medqa/probe 2>/dev/null && exit 1; touch /tmp/probe' \
    || die "the image user can write outside /tmp (or not to /tmp)"
  # One image also migrates and purges (the Job and the CronJob run these very commands).
  local cmd
  for cmd in migrate purge; do
    buildah run --isolation chroot --env MEDQA_ENV=dev --env MEDQA_DATABASE_URL=sqlite:////tmp/jobs.sqlite \
      "$ctr" -- medqa "$cmd" >"${CACHE}/${cmd}.log" 2>&1 || { cat "${CACHE}/${cmd}.log" >&2; die "medqa ${cmd} failed in the image"; }
    echo "${cmd}: $(tail -1 "${CACHE}/${cmd}.log")"
  done
  # Demo mode needs no key; SQLite lives under /tmp. setsid gives the server its own process group
  # (buildah run -> chroot runtime -> timeout -> medqa), so it can be stopped as a whole; `timeout
  # --foreground` keeps it in that group and still bounds it if this script dies first.
  setsid buildah run --isolation chroot --network host \
    --env MEDQA_HOST=127.0.0.1 --env "MEDQA_PORT=${PORT}" --env MEDQA_ENV=dev \
    --env "MEDQA_DATABASE_URL=${MEDQA_IMAGE_TEST_DB_URL:-sqlite:////tmp/medqa.sqlite}" \
    "$ctr" -- timeout --foreground --signal=TERM 120 medqa serve >"${CACHE}/smoke.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 60); do
    code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT}/healthz" || true)"
    [[ "$code" == "200" ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  kill -TERM -- "-${pid}" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [[ "$code" == "200" ]] || { tail -30 "${CACHE}/smoke.log" >&2; die "GET /healthz gave '${code}', expected 200"; }
  echo "healthz: 200"
}

in_readonly_root() { # in_readonly_root ROOTFS USERSPEC VAR=VALUE... COMMAND...: run inside the read-only rootfs
  # A private mount namespace (all mounts vanish with it), the rootfs bind-mounted read-only, tmpfs on /tmp
  # (the Deployment's emptyDir) and a minimal /dev, then chroot with exactly the given environment.
  unshare --mount --propagation private -- sh -eu -c '
    root=$1 userspec=$2; shift 2
    mount --bind "$root" "$root"
    mount -o remount,bind,ro "$root"
    mount -t tmpfs -o size=64m,mode=1777 tmpfs "$root/tmp"
    mount -t tmpfs -o size=1m,mode=755 tmpfs "$root/dev"
    for node in null zero urandom random; do touch "$root/dev/$node"; mount --bind "/dev/$node" "$root/dev/$node"; done
    mount -t proc proc "$root/proc"
    exec chroot --userspec="$userspec" "$root" /usr/bin/env -i "$@"
  ' sh "$@"
}

readonly_smoke() {
  # buildah run cannot make the root read-only, so this runs the image's rootfs by hand, as Kubernetes
  # would with readOnlyRootFilesystem: true and an emptyDir on /tmp.
  need buildah curl unshare chroot setsid
  buildah inspect --type image "$IMAGE" >/dev/null 2>&1 || die "image ${IMAGE} not built: run '$0 build'"
  local ctr mnt user pid code="" env=() out
  ctr="$(buildah from --pull=never "$IMAGE")"
  # shellcheck disable=SC2064
  trap "buildah umount '$ctr' >/dev/null 2>&1; buildah rm '$ctr' >/dev/null 2>&1 || true" EXIT
  mnt="$(buildah mount "$ctr")"
  user="$(buildah inspect --type image --format '{{.OCIv1.Config.User}}' "$IMAGE")"
  [[ "$user" =~ ^[0-9]+(:[0-9]+)?$ ]] || die "image USER '${user}' is not numeric"
  mapfile -t env < <(buildah inspect --type image --format '{{range .OCIv1.Config.Env}}{{println .}}{{end}}' "$IMAGE" | grep -v '^$')
  # Control: even root cannot write to this root filesystem, so what follows proves what it claims.
  if out="$(in_readonly_root "$mnt" 0:0 PATH=/usr/bin:/bin touch /rofs-probe 2>&1)"; then
    die "the root filesystem is writable: the read-only check would prove nothing"
  fi
  [[ "$out" == *"Read-only file system"* ]] || die "unexpected control failure: ${out}"
  setsid bash -c "$(declare -f in_readonly_root); in_readonly_root \"\$@\"" _ "$mnt" "${user%%:*}:${user##*:}" "${env[@]}" \
    MEDQA_HOST=127.0.0.1 "MEDQA_PORT=${PORT}" MEDQA_ENV=dev \
    "MEDQA_DATABASE_URL=${MEDQA_IMAGE_TEST_DB_URL:-sqlite:////tmp/medqa.sqlite}" \
    timeout --foreground --signal=TERM 120 medqa serve >"${CACHE}/readonly.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 60); do
    code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT}/healthz" || true)"
    [[ "$code" == "200" ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  kill -TERM -- "-${pid}" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [[ "$code" == "200" ]] || { tail -30 "${CACHE}/readonly.log" >&2; die "read-only root: GET /healthz gave '${code}', expected 200"; }
  echo "readonly healthz: 200"
}

main() {
  [[ "$(id -u)" == 0 ]] || die "run as root (debootstrap and buildah chroot isolation need it)"
  mkdir -p "$CACHE"
  case "${1:-all}" in
    base) base ;;
    build) build ;;
    smoke) smoke ;;
    readonly) readonly_smoke ;;
    size) size ;;
    all) build && (smoke) && (readonly_smoke) && size ;;
    *) log "usage: $0 [base|build|smoke|readonly|size|all]"; exit 2 ;;
  esac
}

main "$@"
