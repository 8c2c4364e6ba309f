#!/usr/bin/env bash
# clang-format (style: .clang-format) over every C++ file of the project.
#   scripts/format.sh           reformat the files in place
#   scripts/format.sh --check   change nothing; list misformatted files and exit 1 if any
# Files: *.cpp and *.hpp tracked by git (or, outside a git checkout, found) under
# include src tests examples tools bench.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=fix
case "${1:-}" in
  --check) mode=check ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
command -v "$CLANG_FORMAT" >/dev/null || { echo "format: $CLANG_FORMAT not found (scripts/setup.sh installs it)" >&2; exit 2; }

dirs=(include src tests examples tools bench)
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- "${dirs[@]}" | grep -E '\.(cpp|hpp)$' || true)
else
  mapfile -t files < <(find "${dirs[@]}" -type f \( -name '*.cpp' -o -name '*.hpp' \) 2>/dev/null | sort)
fi
# A file listed by git may have been deleted in the work tree.
existing=()
for f in "${files[@]}"; do [[ -f "$f" ]] && existing+=("$f"); done
files=("${existing[@]}")

if ((${#files[@]} == 0)); then
  echo "format: no C++ files"
  exit 0
fi

if [[ $mode == fix ]]; then
  "$CLANG_FORMAT" -i "${files[@]}"
  echo "format: formatted ${#files[@]} files"
  exit 0
fi

bad=()
for f in "${files[@]}"; do
  if ! "$CLANG_FORMAT" --dry-run --Werror "$f" >/dev/null 2>&1; then
    bad+=("$f")
  fi
done
if ((${#bad[@]})); then
  echo "format: ${#bad[@]} of ${#files[@]} files are not clang-formatted (fix: scripts/format.sh):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "format: all ${#files[@]} C++ files are clang-formatted"
