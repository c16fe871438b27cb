#!/bin/sh
# meson install script: put the default configuration in place unless the operator has one.
set -eu
src="$1"
dst="${DESTDIR:-}$2"
mkdir -p "$(dirname "$dst")"
if [ -e "$dst" ]; then
	echo "keeping the existing $2 (the default is $src)"
else
	cp "$src" "$dst"
	chmod 0644 "$dst"
fi
