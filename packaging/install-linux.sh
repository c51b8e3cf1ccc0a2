#!/usr/bin/env bash
# Install the built app for the current user on Linux: a launcher in the desktop's
# application menu, the icon in the hicolor theme, and `briefreader` on PATH.
#
#   dist/briefreader/install-linux.sh             install (or update) for this user
#   dist/briefreader/install-linux.sh --uninstall remove what install put there
#
# The app itself stays where it is (move the folder first if you want it elsewhere, e.g.
# ~/.local/opt/briefreader). Nothing is written outside $XDG_DATA_HOME (~/.local/share) and
# ~/.local/bin. The copy in packaging/ installs dist/briefreader from the source tree.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
if [ -x "$here/briefreader" ] && [ -d "$here/_internal/resources" ]; then
  bundle=$here
else
  bundle=$(cd "$here/.." && pwd)/dist/briefreader
fi
exe=$bundle/briefreader
resources=$bundle/_internal/resources
data_home=${XDG_DATA_HOME:-$HOME/.local/share}
bin_dir=$HOME/.local/bin
apps=$data_home/applications
icons=$data_home/icons/hicolor
sizes="16 24 32 48 64 128 256 512"

refresh() {
  # Optional: menus pick the changes up sooner where these tools exist.
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$apps" || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$icons" || true
}

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$apps/briefreader.desktop" "$icons/scalable/apps/briefreader.svg"
  for s in $sizes; do rm -f "$icons/${s}x${s}/apps/briefreader.png"; done
  if [ -L "$bin_dir/briefreader" ]; then rm -f "$bin_dir/briefreader"; fi
  refresh
  echo "briefreader: launcher, icons and command removed (your briefs, index and glossary are kept)"
  exit 0
fi

[ -x "$exe" ] || { echo "briefreader: no built app at $bundle (run 'make app' first)" >&2; exit 1; }

for s in $sizes; do
  install -D -m 644 "$resources/icons/briefreader-$s.png" "$icons/${s}x${s}/apps/briefreader.png"
done
install -D -m 644 "$resources/icons/briefreader.svg" "$icons/scalable/apps/briefreader.svg"

# The launcher runs this bundle by its full path, so it works whether or not ~/.local/bin
# is on PATH.
mkdir -p "$apps"
tmp=$(mktemp "$apps/.briefreader.desktop.XXXXXX")
esc=$(printf '%s' "$exe" | sed -e 's/[\\&|]/\\&/g')  # safe inside sed's replacement
sed -e "s|^Exec=briefreader|Exec=\"$esc\"|" -e "s|^TryExec=briefreader|TryExec=$esc|" \
  "$resources/briefreader.desktop" > "$tmp"
chmod 644 "$tmp"
mv -f "$tmp" "$apps/briefreader.desktop"

mkdir -p "$bin_dir"
ln -sfn "$exe" "$bin_dir/briefreader"
refresh
echo "briefreader: installed the launcher ($apps/briefreader.desktop), icons and $bin_dir/briefreader -> $exe"
