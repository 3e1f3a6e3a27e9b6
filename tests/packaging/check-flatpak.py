#!/usr/bin/env python3
# LES Claims: checks the Flatpak manifest (identity, runtime, checksums, sandbox) and reports in TAP.
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage: check-flatpak.py MANIFEST EXECUTABLE"""

import json
import os
import re
import sys

APP_ID = "org.lesclaims.LesClaims"
MIN_RUNTIME = 47
SHA256 = re.compile(r"[0-9a-f]{64}")
# The whole home or host file system; portals give the user's files instead.
BROAD_FILESYSTEM = re.compile(r"--filesystem=(home|~|host|host-os|host-etc)/?(:(ro|rw|create))?")


def walk_modules(modules, base_dir, problems):
    """Yield (module name, source) for every source of every module, nested or in a file."""
    for module in modules:
        if isinstance(module, str):
            path = os.path.join(base_dir, module)
            try:
                with open(path, encoding="utf-8") as f:
                    module = json.load(f)
            except (OSError, ValueError) as e:
                problems.append(f"module file {module}: {e}")
                continue
        name = module.get("name", "?")
        for source in module.get("sources", []):
            if isinstance(source, str):
                continue  # a path to a sources file: none of ours
            yield name, source
        yield from walk_modules(module.get("modules", []), base_dir, problems)


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    manifest_path, executable = argv[1], argv[2]
    results = []

    def check(ok, description, *diagnostics):
        results.append(bool(ok))
        print(f"{'ok' if ok else 'not ok'} {len(results)} - {description}")
        if not ok:
            for line in diagnostics:
                print(f"# {line}")

    print("1..7")
    try:
        with open(manifest_path, encoding="utf-8") as f:
            manifest = json.load(f)
        parse_error = None if isinstance(manifest, dict) else "top level is not an object"
    except (OSError, ValueError) as e:
        manifest, parse_error = {}, str(e)
    check(parse_error is None, f"{os.path.basename(manifest_path)} parses as a JSON object", parse_error)
    if parse_error is not None:
        print("Bail out! the manifest cannot be read")
        return 1

    app_id = manifest.get("id", manifest.get("app-id"))
    check(app_id == APP_ID, f"app id is {APP_ID}", f"got {app_id!r}")

    command = manifest.get("command")
    check(command == "les-claims", "command is les-claims", f"got {command!r}")
    check(command == executable, f"command matches the executable meson builds ({executable})",
          f"got {command!r}")

    runtime = manifest.get("runtime")
    version = str(manifest.get("runtime-version", ""))
    check(runtime == "org.gnome.Platform" and version.isdigit() and int(version) >= MIN_RUNTIME,
          f"runtime is org.gnome.Platform {MIN_RUNTIME} or later",
          f"got {runtime!r} version {version!r}")

    problems = []
    base_dir = os.path.dirname(os.path.abspath(manifest_path))
    for name, source in walk_modules(manifest.get("modules", []), base_dir, problems):
        if source.get("type") in ("archive", "file"):
            digest = source.get("sha256", "")
            if not (isinstance(digest, str) and SHA256.fullmatch(digest)):
                problems.append(f"{name}: {source.get('url', '?')} has sha256 {digest!r}")
    check(not problems, "every downloaded archive and file has a sha256", *problems)

    broad = [arg for arg in manifest.get("finish-args", []) if BROAD_FILESYSTEM.fullmatch(arg)]
    check(not broad, "no access to the whole home or host file system", *broad)

    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
