#!/usr/bin/env python3
"""Image bump and promotion for the Kustomize overlays (issue #7): the one place CI edits image digests.

    release.py [--root DIR] show --env ENV                   print the digest the overlay pins
    release.py [--root DIR] bump --env ENV --digest sha256:H  pin that digest in the overlay
    release.py [--root DIR] promote --from ENV --to ENV      copy the pinned digest one step (dev->staging->prod)

Only the `digest:` line of the service image's `images:` entry in
gitops/kustomize/overlays/<env>/kustomization.yaml changes (a `newTag:` line in that entry is dropped: an
overlay pins a digest, never a tag); comments and every other byte stay as they are. The result is parsed
again and compared with the original so that nothing else can have changed. Exit 0 when done (or already
so), 1 with a message on any refusal, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

PROMOTION = ("dev", "staging", "prod")
IMAGE_SUFFIX = "/medqa"
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
PLACEHOLDER = "sha256:" + "0" * 64
DEFAULT_ROOT = Path(__file__).resolve().parents[1]


class ReleaseError(Exception):
    """A refusal with a message for the person or pipeline that asked."""


def overlay_file(root: Path, env: str) -> Path:
    """The kustomization.yaml of an environment's overlay."""
    path = root / "gitops" / "kustomize" / "overlays" / env / "kustomization.yaml"
    if not path.is_file():
        raise ReleaseError(f"no overlay for environment {env!r}: {path} does not exist")
    return path


def service_image(doc: dict[str, Any], path: Path, image: str | None) -> dict[str, Any]:
    """The `images:` entry of the service image (named, or the one ending in /medqa)."""
    entries = [e for e in doc.get("images") or [] if isinstance(e, dict)]
    if image is not None:
        found = [e for e in entries if e.get("name") == image]
    else:
        found = [e for e in entries if str(e.get("name", "")).endswith(IMAGE_SUFFIX)]
    if len(found) != 1:
        wanted = image or f"*{IMAGE_SUFFIX}"
        raise ReleaseError(f"{path}: expected one images: entry named {wanted}, found {len(found)}")
    return found[0]


def show(root: Path, env: str, image: str | None = None) -> str:
    """The digest pinned in an overlay."""
    path = overlay_file(root, env)
    entry = service_image(yaml.safe_load(path.read_text(encoding="utf-8")), path, image)
    digest = entry.get("digest")
    if not isinstance(digest, str) or not DIGEST.match(digest):
        raise ReleaseError(f"{path}: the {entry['name']} entry pins no sha256 digest")
    return digest


def _entry_span(lines: list[str], name: str) -> tuple[int, int]:
    """Line range [start, end) of the `images:` list item whose name is `name`."""
    top = next((i for i, line in enumerate(lines) if re.match(r"^images:\s*(#.*)?$", line)), None)
    if top is None:
        raise ReleaseError("no top-level images: block")
    end = next((i for i in range(top + 1, len(lines)) if re.match(r"^\S", lines[i])), len(lines))
    items = [i for i in range(top + 1, end) if re.match(r"^\s*- ", lines[i])]
    for n, start in enumerate(items):
        stop = items[n + 1] if n + 1 < len(items) else end
        if re.search(rf"name:\s*['\"]?{re.escape(name)}['\"]?\s*(#.*)?$", "\n".join(lines[start:stop]), re.M):
            while stop > start + 1 and (not lines[stop - 1].strip() or lines[stop - 1].lstrip().startswith("#")):
                stop -= 1
            return start, stop
    raise ReleaseError(f"no images: item named {name}")


def rewrite(text: str, name: str, digest: str) -> str:
    """The kustomization text with only the entry's digest set (and any newTag dropped)."""
    lines = text.splitlines(keepends=True)
    start, stop = _entry_span(lines, name)
    entry = [ln for ln in lines[start:stop] if not re.match(r"^\s*(- )?newTag:", ln)]
    digest_at = next((i for i, ln in enumerate(entry) if re.match(r"^\s*(- )?digest:", ln)), None)
    if digest_at is None:
        indent = re.match(r"^(\s*)- ", entry[0])
        pad = (indent.group(1) if indent else "") + "  "
        entry.append(f"{pad}digest: {digest}\n")
    else:
        entry[digest_at] = re.sub(r"(digest:\s*)\S+", rf"\g<1>{digest}", entry[digest_at], count=1)
    return "".join(lines[:start] + entry + lines[stop:])


def _only_digest_changed(before: dict[str, Any], after: dict[str, Any], name: str, digest: str) -> None:
    """Refuse any edit that changed more than the one digest (a guard on the text edit)."""
    expected = dict(before)
    images = []
    for entry in before.get("images") or []:
        if isinstance(entry, dict) and entry.get("name") == name:
            images.append({k: v for k, v in entry.items() if k != "newTag"} | {"digest": digest})
        else:
            images.append(entry)
    expected["images"] = images
    if after != expected:
        raise ReleaseError("the edit would change more than the image digest; nothing was written")


def bump(root: Path, env: str, digest: str, image: str | None = None) -> bool:
    """Pin `digest` in the overlay of `env`; True when the file changed."""
    if not DIGEST.match(digest):
        raise ReleaseError(f"not an image digest: {digest!r} (want sha256: and 64 lowercase hex digits; never a tag)")
    if digest == PLACEHOLDER:
        raise ReleaseError("refusing the all-zero placeholder digest")
    path = overlay_file(root, env)
    text = path.read_text(encoding="utf-8")
    before = yaml.safe_load(text)
    entry = service_image(before, path, image)
    if entry.get("digest") == digest and "newTag" not in entry:
        return False
    new = rewrite(text, entry["name"], digest)
    _only_digest_changed(before, yaml.safe_load(new), entry["name"], digest)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".kustomization.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(new)
    os.chmod(tmp, path.stat().st_mode & 0o777)
    os.replace(tmp, path)
    return True


def promote(root: Path, source: str, target: str, image: str | None = None) -> tuple[str, bool]:
    """Copy the digest pinned in `source` to the next environment `target`; (digest, changed)."""
    for env in (source, target):
        if env not in PROMOTION:
            raise ReleaseError(f"unknown environment {env!r}: promotion runs {' -> '.join(PROMOTION)}")
    if PROMOTION.index(target) != PROMOTION.index(source) + 1:
        raise ReleaseError(f"cannot promote {source} -> {target}: promotion runs {' -> '.join(PROMOTION)}")
    digest = show(root, source, image)
    if digest == PLACEHOLDER:
        raise ReleaseError(f"{source} still pins the placeholder digest: nothing has been released there")
    return digest, bump(root, target, digest, image)


def parse(argv: list[str]) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(prog="release.py", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="repository root (default: this repo)")
    parser.add_argument("--image", help="images: entry name (default: the one ending in /medqa)")
    sub = parser.add_subparsers(dest="command", required=True)
    p_show = sub.add_parser("show", help="print the digest an overlay pins")
    p_show.add_argument("--env", required=True)
    p_bump = sub.add_parser("bump", help="pin a digest in one overlay")
    p_bump.add_argument("--env", required=True)
    p_bump.add_argument("--digest", required=True)
    p_promote = sub.add_parser("promote", help="copy the pinned digest to the next environment")
    p_promote.add_argument("--from", dest="source", required=True)
    p_promote.add_argument("--to", dest="target", required=True)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; print what happened."""
    args = parse(sys.argv[1:] if argv is None else argv)
    try:
        if args.command == "show":
            print(show(args.root, args.env, args.image))
        elif args.command == "bump":
            changed = bump(args.root, args.env, args.digest, args.image)
            print(f"{args.env}: {'pinned' if changed else 'already pins'} {args.digest}")
        else:
            digest, changed = promote(args.root, args.source, args.target, args.image)
            print(f"{args.target}: {'pinned' if changed else 'already pins'} {digest} (from {args.source})")
    except ReleaseError as error:
        print(f"release.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
