#!/usr/bin/env bash
# Builds the release tarball dist/out/wso2-harden-<version>-x86_64-linux-gnu.tar.gz:
#   bin/wso2-harden, bin/wso2_harden (the Ansible module)   run on glibc 2.17+ (RHEL/CentOS 7 on)
#   completions/ (bash, zsh, fish, powershell), man/man1/*.1, ansible/ (playbook, module docs),
#   README.md, CHANGELOG.md
# The binaries are linked against glibc 2.17 with `cargo zigbuild` (zig from PyPI's ziglang,
# cargo-zigbuild from crates.io; both are installed, at versions known to work, when
# missing), then checked with
# dist/check-glibc.sh. Usage: dist/build.sh   (from anywhere; takes a few minutes)
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-unknown-linux-gnu
glibc=2.17
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
name=wso2-harden-$version-x86_64-linux-gnu
out=dist/out

if ! python3 -m ziglang version >/dev/null 2>&1; then
    echo "dist: installing zig (PyPI ziglang)" >&2
    python3 -m pip install --quiet --disable-pip-version-check 'ziglang==0.17.1'
fi
if ! cargo zigbuild --help >/dev/null 2>&1; then
    echo "dist: installing cargo-zigbuild (crates.io)" >&2
    cargo install --locked --quiet cargo-zigbuild@0.24.1
fi

cargo zigbuild --release --locked --bins --target "$target.$glibc"
bin=target/$target/release
dist/check-glibc.sh --max "$glibc" "$bin/wso2-harden" "$bin/wso2_harden"

stage=$out/$name
rm -rf "$stage" "$out/$name.tar.gz"
mkdir -p "$stage/bin" "$stage/completions" "$stage/man/man1" "$stage/ansible/library"
cp "$bin/wso2-harden" "$bin/wso2_harden" "$stage/bin/"
"$stage/bin/wso2-harden" completions bash >"$stage/completions/wso2-harden.bash"
"$stage/bin/wso2-harden" completions zsh >"$stage/completions/_wso2-harden"
"$stage/bin/wso2-harden" completions fish >"$stage/completions/wso2-harden.fish"
"$stage/bin/wso2-harden" completions powershell >"$stage/completions/_wso2-harden.ps1"
"$stage/bin/wso2-harden" man --out-dir "$stage/man/man1"
cp examples/ansible/playbook.yml "$stage/ansible/"
cp examples/ansible/library/wso2_harden.yml "$stage/ansible/library/"
cp README.md CHANGELOG.md "$stage/"
tar -C "$out" -czf "$out/$name.tar.gz" --owner=0 --group=0 "$name"
(cd "$out" && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")
echo "dist: $out/$name.tar.gz"
